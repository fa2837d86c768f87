"""The web face of a build: SPARQL endpoint, resource pages, dumps."""
