"""Klassificering, gallring and the delivery of closed ärenden to the e-arkiv (arkivlagen)."""
