"""A Plone-style workflow engine on Django and django-fsm-2.

The engine knows nothing about ärenden: it executes declarative workflow definitions
(:mod:`workflow.definitions`) on any model that uses :class:`workflow.models.WorkflowMixin`.
"""
