"""The shop's policy documents in a vector store: indexing, anchors, embeddings and search."""
