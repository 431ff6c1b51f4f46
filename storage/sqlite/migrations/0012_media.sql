-- Media attachments that are profile images. Keep in step with the other backend.
-- purpose is '' for the media of statuses, 'avatar' or 'header' for an
-- account's profile images (local uploads and cached remote ones): these are
-- never attached to a status, so the unattached-media sweep must skip them.

ALTER TABLE media_attachments ADD COLUMN purpose TEXT NOT NULL DEFAULT '';
DROP INDEX media_attachments_unattached;
CREATE INDEX media_attachments_unattached ON media_attachments (created_at, id) WHERE status_id IS NULL AND purpose = '';
