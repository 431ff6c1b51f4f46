-- Custom emojis (PostgreSQL). Keep in step with storage/sqlite/migrations.
-- Local emojis have domain '' and their images in the media blobs
-- (image_key, static_key); remote ones keep the remote server's URLs.
-- Shortcodes are case-sensitive but unique per domain case-insensitively.

CREATE TABLE custom_emojis (
    id                 BIGINT PRIMARY KEY,
    shortcode          TEXT NOT NULL,
    domain             TEXT NOT NULL DEFAULT '',
    uri                TEXT NOT NULL DEFAULT '',
    image_url          TEXT NOT NULL,
    static_url         TEXT NOT NULL DEFAULT '',
    image_key          TEXT NOT NULL DEFAULT '',
    static_key         TEXT NOT NULL DEFAULT '',
    content_type       TEXT NOT NULL DEFAULT '',
    size               BIGINT NOT NULL DEFAULT 0,
    category           TEXT NOT NULL DEFAULT '',
    visible_in_picker  BOOLEAN NOT NULL DEFAULT FALSE,
    disabled           BOOLEAN NOT NULL DEFAULT FALSE,
    created_at         TIMESTAMPTZ NOT NULL,
    updated_at         TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX custom_emojis_shortcode_domain ON custom_emojis (domain, lower(shortcode));
