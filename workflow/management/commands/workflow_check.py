from collections import defaultdict

from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.core.management.base import BaseCommand, CommandError

from workflow import registry, vocabulary
from workflow.references import scan


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


class Command(BaseCommand):
    help = (
        "Kontrollerar alla registrerade arbetsflöden och vilka modeller de styr, att deras "
        "konstanter (StrEnum) är just deras id:n, att koden "
        "bara nämner tillstånd, övergångar och arbetslistor som finns (WORKFLOW_REFERENCE_ROOTS) "
        "och att processerna stämmer med definitionerna (systemkontrollerna med taggen "
        "workflow). Avslutas med felkod om något är fel."
    )

    def handle(self, *args, **options):
        workflows = registry.all_workflows()
        if not workflows:
            self.stdout.write("Inga arbetsflöden registrerade.")
            return

        # Bindings are found per installed model; a binding to a model that is not installed
        # cannot be seen this way.
        bindings = defaultdict(list)
        for model in apps.get_models():
            for binding in registry.bindings_for_model(model):
                bindings[binding.workflow_id].append((model, binding))

        problem_count = 0
        for wf in workflows:
            problems = list(wf.problems())
            names = registry.vocabulary_for(wf.id)
            if names is not None:
                problems += vocabulary.problems(wf, names)
            lines = []
            for model, binding in bindings[wf.id]:
                where = ", ".join(f"{key}={value}" for key, value in binding.where.items())
                lines.append(f"  styr {model._meta.label}" + (f" där {where}" if where else ""))
                try:
                    model._meta.get_field("state")
                except FieldDoesNotExist:
                    problems.append(
                        f"modellen {model._meta.label} saknar fältet state och kan inte styras"
                    )
            if not bindings[wf.id]:
                lines.append("  styr ingen modell")

            if problems:
                self.stdout.write(self.style.ERROR(f"FEL {wf.id}:"))
            else:
                self.stdout.write(
                    self.style.SUCCESS(
                        f"OK  {wf.id}: {len(wf.state_list)} tillstånd, "
                        f"{_count(len(wf.transition_list), 'övergång', 'övergångar')}, "
                        f"{_count(len(wf.worklist_list), 'arbetslista', 'arbetslistor')}"
                    )
                )
            for line in lines:
                self.stdout.write(line)
            for problem in problems:
                self.stdout.write(self.style.ERROR(f"  - {problem}"))
            problem_count += len(problems)

        roots = getattr(settings, "WORKFLOW_REFERENCE_ROOTS", ())
        unknown = scan(roots)
        if unknown:
            self.stdout.write(self.style.ERROR("FEL i koden:"))
        for reference in unknown:
            self.stdout.write(self.style.ERROR(f"  - {reference}"))
        problem_count += len(unknown)

        errors = [e for e in checks.run_checks(tags=["workflow"]) if e.level >= checks.ERROR]
        if errors:
            self.stdout.write(self.style.ERROR("FEL i processerna:"))
        for error in errors:
            self.stdout.write(self.style.ERROR(f"  - {error.msg}"))
        problem_count += len(errors)

        if problem_count:
            raise CommandError(f"{problem_count} problem hittades i arbetsflödena.")
        self.stdout.write(
            self.style.SUCCESS("OK  koden nämner bara kända id:n, och processerna stämmer")
        )
