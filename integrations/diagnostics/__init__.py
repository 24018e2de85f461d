"""Diagnostics: the vendor guides' troubleshooting tables as checks, each finding with its fix.

One module per check under `checks/`; `runner.run_diagnostics` runs those of an
integration's kind and keeps the report. The Registered condition lives in
integrations/diagnostics/registration.py and keeps its components in this app's models.
"""
