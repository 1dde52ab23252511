"""Care visits recorded before the 民情日记 was written for them: one visit-log row each, now.

From this release a volunteer's or neighbour's care visit writes the grid's 民情日记 row itself, as a worker's
always did (care.services.care_visit_record). The visits recorded without one (paired visits; a worker's
entered by a bulk load) get it now, with what such a row holds (the person's name and condition, the visitor, the day; no notes, no findings) and the care groups
left as 关爱对象 (they are derived on read and not known for the past day), marked 补记. Reversing it
unlinks and removes only the rows it wrote.
"""
from django.db import migrations

CONDITIONS = {"good": "良好", "fair": "一般", "poor": "较差,需要关注", "urgent": "需要紧急帮助"}
KINDS = {"volunteer": "志愿者", "neighbour": "邻居"}
MARK = ",补记"


def forwards(apps, schema_editor):
    CareVisit = apps.get_model("care", "CareVisit")
    VisitLog = apps.get_model("workorders", "VisitLog")
    visits = (CareVisit.objects.filter(visit_log__isnull=True)
              .select_related("resident__household", "pairing").order_by("pk"))
    for v in visits.iterator(chunk_size=500):
        r = v.resident
        household_id = r.household_id if r.household_id and r.household.grid_id == v.grid_id else None
        log = VisitLog.objects.create(
            grid_id=v.grid_id, household_id=household_id, visitor_id=v.visitor_id, visited_on=v.visited_on,
            notes=f"关爱走访(关爱对象):{r.name},状况{CONDITIONS.get(v.condition, v.condition)}"
                  + (f"(结对{KINDS.get(v.pairing.kind, '')}走访{MARK})" if v.pairing_id else f"(走访{MARK})"))
        CareVisit.objects.filter(pk=v.pk).update(visit_log=log)


def backwards(apps, schema_editor):
    CareVisit = apps.get_model("care", "CareVisit")
    VisitLog = apps.get_model("workorders", "VisitLog")
    ids = list(VisitLog.objects.filter(notes__endswith=f"走访{MARK})").values_list("pk", flat=True))
    CareVisit.objects.filter(visit_log_id__in=ids).update(visit_log=None)
    VisitLog.objects.filter(pk__in=ids, work_order__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("care", "0012_home_pages"),
        ("workorders", "0006_apikey_place"),
        ("people", "0010_absence"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
