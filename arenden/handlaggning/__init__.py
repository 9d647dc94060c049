"""The handläggare's work on an ärende: tilldelning, beredning (tjänsteskrivelse), beslut,
expediering and återrapportering of uppdrag."""
