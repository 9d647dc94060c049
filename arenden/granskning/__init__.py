"""The revisor's view: the audit log of every step, its export and the verification of the hash
chains."""
