"""Divisions as the API shows them (read-only: the table is loaded from GB/T 2260)."""

from __future__ import annotations

from rest_framework import serializers

from chengxin.regions.models import Division


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ("code", "name", "level", "parent", "valid_from", "valid_until")
