"""iCalendar feeds: the programme, a session, an attendee's personal programme."""
