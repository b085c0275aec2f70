"""The OAuth2 authorization server: client credentials, JWT access tokens, JWKS and server metadata."""
