"""What every subdomain uses: the form base classes, paging, idempotent form sending, input limits
and the view helpers."""
