"""Client authentication: who may connect (hba), how they prove it (methods), and roles."""
