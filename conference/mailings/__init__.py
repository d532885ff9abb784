"""Mailings to participants chosen by filter (issue 18, points 1 to 5). So far the recipient
filter (``recipients.py``); the mailing itself, its delivery in batches and the scheduled rules
follow once the organisers' mail texts and their renderer (``conference/mailtexts``) are here."""
