-- The routing index persisted: example embeddings per embedding model, and trained routing
-- models keyed by a hash of their training data (so a process starts without retraining).
CREATE TABLE routing_examples (
    embed_model text NOT NULL,
    text_hash   text NOT NULL,
    agent       text NOT NULL,
    text        text NOT NULL,
    embedding   vector NOT NULL,
    PRIMARY KEY (embed_model, text_hash)
);

CREATE TABLE routing_models (
    key         text PRIMARY KEY,
    payload     bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
