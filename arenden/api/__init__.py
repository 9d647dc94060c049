"""The REST API for integrations: e-tjänster register ärenden and file handlingar, the
intranet shows worklists, the e-arkiv reads histories. Every endpoint asks the pages' own
question (``user.has_perm(perm, obj)``), reuses their forms and services, and masks secret
content as they do (OSL 5 kap. 5 §); errors are problem details (RFC 9457) in Swedish."""
