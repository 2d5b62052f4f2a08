from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from grassroots.common.masking import mask_phone
from grassroots.org.models import Membership, Unit, User


class UnitSerializer(serializers.ModelSerializer[Unit]):
    parent_code = serializers.CharField(
        source="parent.code", read_only=True, allow_null=True, default=None
    )
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "kind",
            "kind_display",
            "parent_code",
            "path",
            "depth",
            "peer_group",
            "population",
            "households",
            "active",
        ]
        read_only_fields = fields


class UnitGeometrySerializer(UnitSerializer):
    class Meta(UnitSerializer.Meta):
        fields = [*UnitSerializer.Meta.fields, "geometry"]
        read_only_fields = fields


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    unit = UnitSerializer(read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)

    class Meta:
        model = Membership
        fields = ["role", "role_display", "title", "unit", "valid_from", "valid_to"]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer[User]):
    phone = serializers.SerializerMethodField()
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "full_name", "phone", "memberships"]
        read_only_fields = fields

    def get_phone(self, user: User) -> str:
        return mask_phone(user.phone) if user.phone else ""

    @extend_schema_field(MembershipSerializer(many=True))
    def get_memberships(self, user: User) -> list[dict[str, object]]:
        qs = Membership.objects.filter(user=user).active().select_related("unit", "unit__parent")
        return list(MembershipSerializer(qs, many=True).data)
