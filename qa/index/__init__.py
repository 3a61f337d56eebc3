"""Index: embed chunks, keep the dense (FAISS) and keyword (BM25) indexes and the chunk store on disk."""
