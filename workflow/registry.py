"""Which workflow governs which object: Plone's chains and placeful policies.

``register(workflow)`` makes a definition known; ``bind(model, workflow_id, where={...})``
says that objects of ``model`` are governed by it, optionally only where the object's
attributes match ``where`` (ORM-style paths such as ``{"organ__kod": "HSN"}``). The most
specific binding (most conditions) that matches wins, so a policy for one organ or ärendetyp
overrides the model's default chain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, Q

from .definitions import Workflow, Worklist
from .vocabulary import Vocabulary

_workflows: dict[str, Workflow] = {}
_vocabularies: dict[str, Vocabulary] = {}
_bindings: list[Binding] = []


@dataclass(frozen=True)
class Binding:
    model_label: str
    workflow_id: str
    where: dict[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.model_label)

    def matches(self, obj: Model) -> bool:
        return all(_resolve(obj, path) == value for path, value in self.where.items())

    def q(self) -> Q:
        return Q(**self.where)


def _resolve(obj: Any, path: str) -> Any:
    for part in path.split("__"):
        if obj is None:
            return None
        obj = getattr(obj, part)
    return obj


def _label(model: type[Model] | str) -> str:
    return model if isinstance(model, str) else model._meta.label


def register(workflow: Workflow, vocabulary: Vocabulary | None = None) -> Workflow:
    """Make ``workflow`` known by its id; registering the same id again replaces it.
    ``vocabulary`` names its ids as constants (:mod:`workflow.vocabulary`); a definition
    registered again without one keeps the one it had, which must still agree with it."""
    for other in _workflows.values():
        if other.id == workflow.id:
            continue
        clash = set(other.worklists) & set(workflow.worklists)
        if clash:
            raise ImproperlyConfigured(
                f"Arbetslistan {sorted(clash)[0]} finns i både {other.id} och {workflow.id}"
            )
    _workflows[workflow.id] = workflow
    if vocabulary is not None:
        _vocabularies[workflow.id] = vocabulary
    return workflow


def vocabulary_for(workflow_id: str) -> Vocabulary | None:
    return _vocabularies.get(workflow_id)


def unregister(workflow_id: str) -> None:
    _workflows.pop(workflow_id, None)
    _vocabularies.pop(workflow_id, None)
    _bindings[:] = [b for b in _bindings if b.workflow_id != workflow_id]


def bind(model: type[Model] | str, workflow_id: str, where: dict[str, Any] | None = None):
    """Govern ``model`` (where ``where`` matches) by the workflow ``workflow_id``."""
    if workflow_id not in _workflows:
        raise ImproperlyConfigured(f"Okänt arbetsflöde {workflow_id}")
    binding = Binding(_label(model), workflow_id, dict(where or {}))
    _bindings[:] = [
        b for b in _bindings if (b.model_label, b.where) != (binding.model_label, binding.where)
    ]
    _bindings.append(binding)
    # most specific first; stable for equal specificity
    _bindings.sort(key=lambda b: -len(b.where))
    return binding


def get_workflow(workflow_id: str) -> Workflow:
    try:
        return _workflows[workflow_id]
    except KeyError:
        raise LookupError(f"Okänt arbetsflöde {workflow_id}") from None


def all_workflows() -> list[Workflow]:
    return sorted(_workflows.values(), key=lambda w: w.id)


def bindings_for_model(model: type[Model] | str) -> list[Binding]:
    label = _label(model)
    return [b for b in _bindings if b.model_label == label]


def bindings_for_workflow(workflow_id: str) -> list[Binding]:
    return [b for b in _bindings if b.workflow_id == workflow_id]


def is_governed(model: type[Model] | str) -> bool:
    return bool(bindings_for_model(model))


def workflow_for(obj: Model) -> Workflow:
    """The workflow that governs ``obj`` (most specific matching binding)."""
    for binding in bindings_for_model(type(obj)):
        if binding.matches(obj):
            return _workflows[binding.workflow_id]
    raise LookupError(f"Inget arbetsflöde styr {obj._meta.label}")


def governed_q(binding: Binding) -> Q:
    """ORM condition for the objects ``binding`` actually governs (not overridden)."""
    q = binding.q()
    for other in bindings_for_model(binding.model_label):
        if other is binding:
            break
        if other.workflow_id != binding.workflow_id:
            q &= ~other.q()
    return q


def find_worklist(name: str) -> tuple[Workflow, Worklist]:
    for wf in _workflows.values():
        if name in wf.worklists:
            return wf, wf.worklists[name]
    raise LookupError(f"Okänd arbetslista {name}")
