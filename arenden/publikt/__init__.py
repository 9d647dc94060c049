"""Pages anyone may read: the postlista (TF 2 kap.) and the anslagstavla (KL 8 kap. 12 §)."""
