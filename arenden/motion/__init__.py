"""Motioner and medborgarförslag: who väckte them, when, and the one-year clock of
KL 5 kap. 35 §."""
