# AssignmentDeadline moved here from cohorts; its table keeps the old name, so only
# Django's model state changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("assignments", "0001_initial"),
        ("cohorts", "0005_move_assignmentdeadline"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AssignmentDeadline",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("due_on", models.DateField(verbose_name="due on")),
                        (
                            "assignment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="cohort_deadlines",
                                to="assignments.assignment",
                            ),
                        ),
                        (
                            "cohort",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="deadlines",
                                to="cohorts.cohort",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "assignment due date",
                        "verbose_name_plural": "assignment due dates",
                        "db_table": "cohorts_assignmentdeadline",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("cohort", "assignment"),
                                name="assignment_deadline_unique",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
