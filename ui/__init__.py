"""The Streamlit side: the session and its database connection, sign-in, the sidebar filters, the widgets every
page draws with, and the pages themselves (ui/pages/, one file each, layout only)."""
