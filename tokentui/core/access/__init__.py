"""Access: verify, bearer authentication, recording use, redaction of secret-shaped text."""
