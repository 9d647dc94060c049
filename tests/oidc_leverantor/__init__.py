"""A small OpenID Connect provider for the single sign-on tests (tests/test_sso.py), built
with django-oauth-toolkit's OIDC support. It runs in a process of its own (``serve``), with
its own settings and database, on a free port of 127.0.0.1."""
