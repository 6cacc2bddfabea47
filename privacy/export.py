"""The person's own data as one zip: data.json for machines, index.html for people.

Built in memory: one person's data is small. The HTML is a standalone page (no
stylesheet, script or image from anywhere), autoescaped like every template.
"""

import datetime
import io
import json
import zipfile
import zoneinfo

from django.core.serializers.json import DjangoJSONEncoder
from django.template.loader import render_to_string
from django.utils import timezone, translation

from accounts.models import User
from privacy.selectors import personal_data


def export_filename(*, user: User, now: datetime.datetime) -> str:
    day = now.astimezone(zoneinfo.ZoneInfo(user.time_zone)).date()
    return f"klantbekwaam-gegevens-{day.isoformat()}.zip"


def as_json(data) -> str:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


def export_zip(*, user: User, now: datetime.datetime) -> bytes:
    data = personal_data(user, now=now)
    with translation.override(user.language), timezone.override(user.time_zone):
        page = render_to_string("privacy/export.html", {"data": data})
    stamp = now.astimezone(zoneinfo.ZoneInfo(user.time_zone)).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in (("data.json", as_json(data)), ("index.html", page)):
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, content.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
