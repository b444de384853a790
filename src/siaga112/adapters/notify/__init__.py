"""Telling agencies: EIDO documents (NENA-STA-021) delivered by signed webhooks."""
