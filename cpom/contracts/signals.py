"""Signals the apps above `contracts` listen to, so that a contract's life never imports them (one-way layering)."""

from django.dispatch import Signal

# Sent inside the transaction that ends a contract early (termination, R8): `contract`, `end` (its new end).
contract_ended = Signal()
