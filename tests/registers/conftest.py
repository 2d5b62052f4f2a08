"""The registers' tests use ``make_household`` and ``valid_id_number`` from the root
conftest."""

from tests.conftest import valid_id_number  # noqa: F401
