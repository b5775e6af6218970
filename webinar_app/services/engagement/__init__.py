"""Live-room engagement beside the chat: Q&A, polls, reactions, raised hands.

Same audience as the chat (registrants, the organizer, admins; banned users out), same
real-time core: every change is committed, then published on a topic of its own so a
vote never costs a chat tab a state load (and the reverse).
"""
