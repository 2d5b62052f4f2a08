"""The choices of the residents app (the people and places of each grid, 人地事物) and the
states of its records."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlaceKind(models.TextChoices):
    """What a grid worker knows of a place (地/物)."""

    COMPOUND = "compound", _("Residential compound")  # 居民小区
    HOUSE = "house", _("Private house")  # 自建房/民房
    RENTAL = "rental", _("Large rental")  # 出租大院/群租房
    BUSINESS = "business", _("Shop or business")  # 商铺/企业(个体工商户)
    PUBLIC = "public", _("Public place")  # 学校、医院、宗教活动场所等
    OTHER = "other", _("Other place")  # 其他


class HouseholdStatus(models.TextChoices):
    ACTIVE = "active", _("Living here")  # 在住
    MOVED_OUT = "moved_out", _("Moved out")  # 整户迁出
    DISSOLVED = "dissolved", _("Dissolved")  # 销户(户内无人)


class Relationship(models.TextChoices):
    """Relationship to the head of the household (与户主关系)."""

    HEAD = "head", _("Head of household")  # 户主
    SPOUSE = "spouse", _("Spouse")  # 配偶
    CHILD = "child", _("Child")  # 子女
    PARENT = "parent", _("Parent")  # 父母
    GRANDCHILD = "grandchild", _("Grandchild")  # 孙子女/外孙子女
    GRANDPARENT = "grandparent", _("Grandparent")  # 祖父母/外祖父母
    SIBLING = "sibling", _("Sibling")  # 兄弟姐妹
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")  # 儿媳/女婿
    OTHER = "other", _("Other")  # 其他


class Residence(models.TextChoices):
    REGISTERED = "registered", _("Registered resident")  # 常住(户籍)人口
    FLOATING = "floating", _("Floating population")  # 流动人口


class PersonStatus(models.TextChoices):
    PRESENT = "present", _("Living here")  # 在住
    MOVED_OUT = "moved_out", _("Moved out")  # 迁出
    DECEASED = "deceased", _("Deceased")  # 死亡


class Gender(models.TextChoices):
    MALE = "m", _("Male")  # 男
    FEMALE = "f", _("Female")  # 女


class Met(models.TextChoices):
    """Whom the visitor met (走访见到)."""

    PERSON = "person", _("The person in care")  # 本人
    FAMILY = "family", _("A family member")  # 家属
    NEIGHBOUR = "neighbour", _("A neighbour or carer")  # 邻居/看护人
    NOBODY = "nobody", _("Nobody at home")  # 未见到(不计为有效走访)


#: Meetings that count as a visit done (a closed door does not).
EFFECTIVE_MET = (Met.PERSON, Met.FAMILY, Met.NEIGHBOUR)
