"""Personal data in what the committee typed: a mobile or an ID number written into the
findings, a response or a note is masked wherever the text is shown, exported or kept in
the audit log (the case keeps the text as typed)."""

from __future__ import annotations

import re
from typing import Final

from grassroots.common.masking import mask_id_number, mask_phone

ID_NUMBER: Final = re.compile(
    r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])|(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])"
)
MOBILE: Final = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def mask_text(text: str) -> str:
    """``text`` with every ID number and mobile number in it masked."""
    if not text:
        return ""
    text = ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return MOBILE.sub(lambda m: mask_phone(m.group(0)), text)
