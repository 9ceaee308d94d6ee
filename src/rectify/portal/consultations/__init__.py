"""The public consultation pages (公开征求意见): the list, one consultation and its comment form."""
