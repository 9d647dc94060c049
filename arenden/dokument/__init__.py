"""Documents the system writes (kallelse, protokoll, utdrag, tjänsteskrivelse as PDF/A and DOCX) and
the stored files of handlingar."""
