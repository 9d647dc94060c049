"""The domain: organ, diarium, ärende, handling, sammanträde, beslut, expediering and
återrapportering, on top of the workflow engine."""
