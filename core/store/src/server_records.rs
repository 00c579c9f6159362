//! Read access to the records the server makes and devices only read (`proposal`, `mission`…): the sync
//! client keeps each one's last server version in `sync_shadow`, which is all a device needs to show
//! them offline. No table of their own: they are never edited here, so there is nothing to rebase.

use rusqlite::OptionalExtension;
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::codec::decode;
use crate::error::{DbResultExt, Result, StoreError};
use crate::open::Store;

/// A server-made record as last pulled: its id and its JSON object (with `id` set).
#[derive(Clone, Debug, PartialEq)]
pub struct ServerRecord {
    /// The record's id.
    pub id: Uuid,
    /// The record as the server sent it, `id` included.
    pub record: Map<String, Value>,
}

fn parse(entity: &str, id: &str, json: &str) -> Result<ServerRecord> {
    let uuid = Uuid::try_parse(id).map_err(|e| StoreError::CorruptRecord {
        table: "sync_shadow",
        id: id.to_owned(),
        reason: format!("{entity} : {e}"),
    })?;
    let mut record: Map<String, Value> = decode("sync_shadow", id, json)?;
    record.insert("id".to_owned(), Value::String(id.to_owned()));
    Ok(ServerRecord { id: uuid, record })
}

impl Store {
    /// Every live (not deleted) pulled record of `entity`, in id order (ids are time-ordered UUIDs).
    pub fn server_records(&self, entity: &str) -> Result<Vec<ServerRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT entity_id, json FROM sync_shadow WHERE entity = ?1 AND deleted = 0
                 ORDER BY entity_id",
            )
            .db()?;
        let rows = stmt
            .query_map([entity], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
            })
            .db()?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db()?;
        rows.iter()
            .map(|(id, json)| parse(entity, id, json))
            .collect()
    }

    /// One live pulled record of `entity`; `None` when never pulled or deleted on the server.
    pub fn server_record(&self, entity: &str, id: Uuid) -> Result<Option<ServerRecord>> {
        let key = id.to_string();
        let json: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT json FROM sync_shadow WHERE entity = ?1 AND entity_id = ?2 AND deleted = 0",
            )
            .db()?
            .query_row([entity, key.as_str()], |r| r.get(0))
            .optional()
            .db()?;
        json.map(|json| parse(entity, &key, &json)).transpose()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use rempla_core::sync::rebase::PulledChange;

    fn change(entity: &str, id: Uuid, record: Option<Value>) -> PulledChange {
        PulledChange {
            entity: entity.to_owned(),
            entity_id: id,
            record: record.and_then(|r| r.as_object().cloned()),
        }
    }

    #[test]
    fn pulled_read_only_records_are_listed_by_kind_and_deletions_hide_them() {
        let mut store = Store::open_in_memory().unwrap();
        let (a, b, m) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        store
            .apply_pulled_page(
                &[
                    change("proposal", a, Some(json!({"state": "sent"}))),
                    change("proposal", b, Some(json!({"state": "accepted"}))),
                    change("mission", m, Some(json!({"title": "t"}))),
                ],
                "c1",
            )
            .unwrap();
        let proposals = store.server_records("proposal").unwrap();
        assert_eq!(proposals.iter().map(|r| r.id).collect::<Vec<_>>(), [a, b]);
        assert_eq!(proposals[0].record["id"], json!(a.to_string()));
        assert_eq!(proposals[1].record["state"], json!("accepted"));
        assert_eq!(store.server_records("mission").unwrap().len(), 1);
        assert!(store.server_record("proposal", m).unwrap().is_none());

        store
            .apply_pulled_page(&[change("proposal", a, None)], "c2")
            .unwrap();
        assert_eq!(store.server_records("proposal").unwrap().len(), 1);
        assert!(store.server_record("proposal", a).unwrap().is_none());
        assert_eq!(
            store.server_record("proposal", b).unwrap().unwrap().record["state"],
            json!("accepted")
        );
        assert!(store.server_records("unknown").unwrap().is_empty());
    }
}
