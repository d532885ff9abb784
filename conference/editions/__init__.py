"""Editions: organisers create, configure, copy and delete the yearly congresses in the browser;
the edition's texts (welcome, imprint, privacy notice, accessibility statement) and the
organising body shown on every page and PDF."""
