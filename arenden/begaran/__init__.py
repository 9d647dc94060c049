"""Begäran om allmän handling: the request, its prövning and what is released (TF 2 kap., OSL)."""
