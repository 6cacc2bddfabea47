# AssignmentDeadline moved to the assignments app, next to Extension and the due-date rule.
# Only Django's model state changes: the table keeps its name (cohorts_assignmentdeadline).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0004_assignmentdeadline"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="AssignmentDeadline")],
            database_operations=[],
        ),
    ]
