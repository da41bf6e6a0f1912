"""ASB & crime performance analytics: store, loaders and figures. Never imports streamlit."""
