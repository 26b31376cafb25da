//! Storing many visits with a handful of statements, not ten per visit: a phone's batch, or
//! single visits that arrived together (`crate::visit_group_commit`), each with its sender.
//!
//! What each item gets is what [`store`] (one visit) would give it, stored in the same order:
//! the visits to known leads and accounts are checked against one read of their records,
//! written with multi-row INSERTs (visits, the leads' audit records, the `visit.logged`
//! events) and the leads' updates (`apply_visits_many`: two statements on PostgreSQL), the
//! targets read once per month; visits that bring a new stall are then stored one by one,
//! each in its own savepoint, as before. Each item is checked against its own sender (scopes,
//! view, the leads they may write) and recorded as theirs (audit actor, event actor).

use super::log::{
    complete, lead_audit_changes, lead_to_log, moved_by_visit, store, Failure, Known, Logged,
    Prepared, Target, VISIT_LOGGED,
};
use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use diesel::Connection;
use ironfield_auth::Scope;
use ironfield_domain::ids::{LeadId, SellerAccountId, VisitId};
use ironfield_domain::Stage;
use ironfield_persistence::audit::NewEvent;
use ironfield_persistence::leads::{self as lead_store, LeadRow};
use ironfield_persistence::seller_accounts::{self, AccountRow};
use ironfield_persistence::visits::{self, VisitRow};
use ironfield_persistence::{DbConnection, DbError, TeamScope, Timestamp};
use std::collections::{BTreeMap, HashMap, HashSet};

/// A visit to store and who sent it.
#[derive(Clone, Copy)]
pub(crate) struct Sent<'a> {
    pub(crate) caller: &'a Caller,
    pub(crate) visit: &'a Prepared,
}

/// Stores a phone's batch (every item sent by `caller`): see [`store_together`].
pub(crate) fn store_batch(
    conn: &mut DbConnection,
    caller: &Caller,
    items: &[Prepared],
) -> ApiResult<Vec<ApiResult<Logged>>> {
    let sent: Vec<Sent<'_>> = items.iter().map(|visit| Sent { caller, visit }).collect();
    store_together(conn, &sent)
}

/// Stores the items in the caller's one write transaction. An item refused (a bad target, a
/// stall already taken) is answered with its error and leaves the others; an item whose id is
/// stored already (sent before, repeated, or stored meanwhile by a concurrent replay) answers
/// with the stored visit. Each stored visit emits its `visit.logged`, and the targets reached
/// are announced, in the same transaction. A server failure is returned as `Err` and the
/// whole transaction rolls back (a resend then stores the visits). One commit (one fsync on
/// SQLite) for all of them; concurrent replays still meet each id's primary key and store
/// each visit once. The transaction holds its connection for all the items: batches queue
/// first (`AppState::write_queue`), single visits are grouped by one writer.
///
/// Lock order: rows are written visits first (in id order), then leads (in id order), so two
/// writers that share records wait for each other instead of deadlocking on PostgreSQL. Items
/// are taken lead by lead, then account by account, in id order (a stable sort: one record's
/// visits keep the order they were sent in), new stalls last; the answer keeps the order sent.
fn store_together(
    conn: &mut DbConnection,
    items: &[Sent<'_>],
) -> ApiResult<Vec<ApiResult<Logged>>> {
    let (known, new_stalls): (Vec<usize>, Vec<usize>) = lock_order(items)
        .into_iter()
        .partition(|&place| !matches!(items[place].visit.target, Target::NewLead(_)));
    let mut outcomes: Vec<Option<ApiResult<Logged>>> = items.iter().map(|_| None).collect();
    let together: Vec<Sent<'_>> = known.iter().map(|&place| items[place]).collect();
    // In a savepoint: a statement the database refuses for a reason of the request's own (a
    // row that changed under the batch) rolls the set back, and each of its items is then
    // stored alone, where that refusal is that item's answer.
    let one_by_one: Vec<usize> = match conn.transaction(|conn| store_known(conn, &together)) {
        Ok(stored) => {
            for (place, outcome) in known.into_iter().zip(stored) {
                outcomes[place] = Some(outcome);
            }
            new_stalls
        }
        Err(error) if error.code.status().is_client_error() => {
            known.into_iter().chain(new_stalls).collect()
        }
        Err(error) => return Err(error),
    };
    for place in one_by_one {
        let Sent { caller, visit } = items[place];
        // Nested in the write transaction, diesel makes this a savepoint.
        let stored = conn.transaction(|conn| store(conn, caller, visit.clone()));
        outcomes[place] = Some(match stored {
            Ok(logged) => Ok(logged),
            Err(Failure::Api(error)) if error.code.status().is_client_error() => Err(error),
            Err(Failure::Api(error)) => return Err(error),
            Err(Failure::Replayed) => {
                // Every team: whether the caller may read it is `can_read`'s to say.
                let id = visit.row.id.clone();
                let visit = visits::find_many(conn, &TeamScope::everything(), &[id])?.pop();
                stored_visit(caller, visit)?
            }
        });
    }
    // Every place was answered above, once: this keeps them all, in the order sent.
    Ok(outcomes.into_iter().flatten().collect())
}

/// Stores visits to known leads and accounts (no new stalls: `Err` for one) in the caller's
/// transaction, answering each in the order given, with no savepoint of its own: `Err` (a
/// statement the database refused, for whatever reason) leaves that transaction to roll
/// back, and its caller to store the items some other way (one by one).
pub(crate) fn store_known_together(
    conn: &mut DbConnection,
    items: &[Sent<'_>],
) -> ApiResult<Vec<ApiResult<Logged>>> {
    let order = lock_order(items);
    let in_order: Vec<Sent<'_>> = order.iter().map(|&place| items[place]).collect();
    let mut answers: Vec<Option<ApiResult<Logged>>> = items.iter().map(|_| None).collect();
    for (place, answer) in order.into_iter().zip(store_known(conn, &in_order)?) {
        answers[place] = Some(answer);
    }
    Ok(answers.into_iter().flatten().collect())
}

/// The places of `items` in the order their records are locked: leads first, then
/// accounts, each by id (a stable sort: one record's visits keep the order they were sent
/// in), new stalls last.
fn lock_order(items: &[Sent<'_>]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |place: usize| items[place].visit.target.lock_key();
        key(a).cmp(&key(b))
    });
    order
}

/// Stores the visits to known leads and accounts (`items`, in lock order), answering each in
/// that order. `Err` only for a statement the database refused.
fn store_known(conn: &mut DbConnection, items: &[Sent<'_>]) -> ApiResult<Vec<ApiResult<Logged>>> {
    let mut planned = plan(conn, items)?;
    write_planned(conn, items, &mut planned)?;
    answer(conn, items, planned)
}

/// What an item comes to before anything is written: its row to insert (with its lead's
/// stage before it), or its answer now (a replay, a refusal).
type Plan = Result<(VisitRow, Option<Stage>), Answer>;

/// Each item's plan, against one read of the stored ids and of the batch's records.
fn plan(conn: &mut DbConnection, items: &[Sent<'_>]) -> ApiResult<Vec<Plan>> {
    let mut records = Records::read(conn, items)?;
    // The ids an earlier item of these plans to store: a repeat is a replay.
    let mut taken: HashSet<&str> = HashSet::new();
    let mut planned: Vec<Plan> = Vec::new();
    for &Sent {
        caller,
        visit: item,
    } in items
    {
        if taken.contains(item.row.id.as_str()) {
            planned.push(Err(Answer::Replayed));
            continue;
        }
        let mut row = item.row.clone();
        let known = match records.resolve(conn, caller, &item.target, &mut row)? {
            Ok(known) => known,
            // Not stored after all: a later item with this id may store it.
            Err(refused) => {
                planned.push(Err(Answer::Refused(refused)));
                continue;
            }
        };
        taken.insert(item.row.id.as_str());
        // Read once per directory version, like a single visit's.
        let tz = caller.directory.timezone(conn)?;
        planned.push(Ok((complete(row, &known, tz), known.stage)));
    }
    // Ids stored already are replays, whatever their target has become since. The refused
    // items' are looked up here; the others meet the INSERT, which skips a stored id
    // (`write_planned` then answers it as a replay).
    let refused: Vec<VisitId> = planned
        .iter()
        .zip(items)
        .filter(|(plan, _)| matches!(plan, Err(Answer::Refused(_))))
        .map(|(_, item)| item.visit.row.id.clone())
        .collect();
    if !refused.is_empty() {
        let stored: HashSet<String> = visits::stored_ids(conn, &refused)?.into_iter().collect();
        for (plan, item) in planned.iter_mut().zip(items) {
            if matches!(plan, Err(Answer::Refused(_)))
                && stored.contains(item.visit.row.id.as_str())
            {
                *plan = Err(Answer::Replayed);
            }
        }
    }
    Ok(planned)
}

/// Writes the planned visits (in id order) and their leads' effects, audit records and
/// events; a visit a concurrent writer stored meanwhile becomes a replay.
fn write_planned(
    conn: &mut DbConnection,
    items: &[Sent<'_>],
    planned: &mut [Plan],
) -> ApiResult<()> {
    // The visits, in id order; an id a concurrent writer stored meanwhile is skipped.
    let mut rows: Vec<VisitRow> = planned
        .iter()
        .filter_map(|p| p.as_ref().ok().map(|(row, _)| row.clone()))
        .collect();
    rows.sort_by(|a, b| a.id.cmp(&b.id));
    let inserted: HashSet<String> = visits::insert_new_many(conn, &rows)?.into_iter().collect();

    // Each lead's effects, visit by visit in the order stored, as one visit at a time would
    // leave them: its audit record names the stage the visit moved it to.
    let mut leads: BTreeMap<LeadId, VisitsToLead> = BTreeMap::new();
    let mut audit = Vec::new();
    let mut stored = Vec::new();
    for (plan, item) in planned.iter_mut().zip(items) {
        let Ok((row, stage_before)) = plan else {
            continue;
        };
        if !inserted.contains(row.id.as_str()) {
            *plan = Err(Answer::Replayed);
            continue;
        }
        if let Some(lead_id) = &row.lead_id {
            let lead = leads.entry(lead_id.clone()).or_insert(VisitsToLead {
                stage: *stage_before,
                latest: row.visited_at,
                next_follow_up_at: None,
                visits: 0,
                at: row.received_at,
            });
            let moved_to = lead.stage.and_then(moved_by_visit);
            lead.stage = moved_to.or(lead.stage);
            lead.latest = lead.latest.max(row.visited_at);
            // The last follow-up set wins, as when the visits are applied one by one.
            lead.next_follow_up_at = row.next_follow_up_at.or(lead.next_follow_up_at);
            lead.visits += 1;
            lead.at = row.received_at;
            audit.push((
                item.caller,
                lead_id.clone(),
                lead_audit_changes(row.id.as_str(), moved_to),
                row.received_at,
            ));
        }
        stored.push((item.caller, row.clone()));
    }
    // In lead id order (the map's).
    let effects: Vec<lead_store::LeadVisits> = leads
        .iter()
        .map(|(lead_id, lead)| lead_store::LeadVisits {
            lead_id: lead_id.clone(),
            latest_visited_at: lead.latest,
            next_follow_up_at: lead.next_follow_up_at,
            visits: lead.visits,
            now: lead.at,
        })
        .collect();
    lead_store::apply_visits_many(conn, &effects)?;
    ironfield_persistence::audit::record_many(
        conn,
        audit
            .iter()
            .map(|(caller, lead_id, changes, at)| NewEvent {
                entity_type: "lead",
                entity_id: lead_id.as_str(),
                action: VISIT_LOGGED,
                actor_id: caller.id(),
                changes: changes.clone().into_value(),
                at: *at,
            })
            .collect(),
    )?;
    crate::events::writes::visits_logged(conn, &stored)?;
    Ok(())
}

/// The answers, in the order of `items`; replays with the visit as stored.
fn answer(
    conn: &mut DbConnection,
    items: &[Sent<'_>],
    planned: Vec<Plan>,
) -> ApiResult<Vec<ApiResult<Logged>>> {
    let replayed: Vec<VisitId> = planned
        .iter()
        .zip(items)
        .filter(|(plan, _)| matches!(plan, Err(Answer::Replayed)))
        .map(|(_, item)| item.visit.row.id.clone())
        .collect();
    let existing: HashMap<VisitId, VisitRow> = if replayed.is_empty() {
        HashMap::new()
    } else {
        // Every team: whether the caller may read a visit is `can_read`'s to say, as for one.
        visits::find_many(conn, &TeamScope::everything(), &replayed)?
            .into_iter()
            .map(|visit| (visit.id.clone(), visit))
            .collect()
    };
    planned
        .into_iter()
        .zip(items)
        .map(|(plan, item)| match plan {
            Ok((row, _)) => Ok(Ok(Logged::Created(row))),
            Err(Answer::Refused(error)) => Ok(Err(error)),
            Err(Answer::Replayed) => {
                stored_visit(item.caller, existing.get(&item.visit.row.id).cloned())
            }
        })
        .collect()
}

/// The answer to an item whose id was stored already: the stored visit if the caller may
/// read it (a replay), else a conflict; `Err` if it cannot be read back.
fn stored_visit(caller: &Caller, visit: Option<VisitRow>) -> ApiResult<ApiResult<Logged>> {
    match visit {
        Some(visit) if crate::services::visits::can_read(caller, &visit) => {
            Ok(Ok(Logged::Existing(visit)))
        }
        Some(_) => Ok(Err(ApiError::conflict(
            "a visit with this id already exists",
        ))),
        None => Err(DbError::NotFound.into()),
    }
}

enum Answer {
    Replayed,
    Refused(ApiError),
}

/// What the batch's visits do to one lead.
struct VisitsToLead {
    /// Its stage as the visits so far left it (none when unknown).
    stage: Option<Stage>,
    latest: Timestamp,
    next_follow_up_at: Option<Timestamp>,
    visits: i64,
    /// When the last of them was received.
    at: Timestamp,
}

/// The items' leads and accounts, read once for all their senders; each sender sees only
/// those of their own view (`Caller::can_see_team`, the filter their scoped read would apply).
struct Records {
    leads: HashMap<LeadId, LeadRow>,
    accounts: HashMap<SellerAccountId, AccountRow>,
}

impl Records {
    fn read(conn: &mut DbConnection, items: &[Sent<'_>]) -> ApiResult<Self> {
        let mut lead_ids = Vec::new();
        let mut account_ids = Vec::new();
        for item in items {
            match &item.visit.target {
                Target::Lead(id) => lead_ids.push(id.clone()),
                Target::Account(id) => account_ids.push(id.clone()),
                Target::NewLead(_) => {}
            }
        }
        lead_ids.sort();
        lead_ids.dedup();
        account_ids.sort();
        account_ids.dedup();
        // Every team: `resolve` answers each sender from their own view.
        let leads = if lead_ids.is_empty() {
            Vec::new()
        } else {
            lead_store::find_many(conn, &TeamScope::everything(), &lead_ids)?
        };
        let accounts = if account_ids.is_empty() {
            Vec::new()
        } else {
            seller_accounts::find_many(conn, &TeamScope::everything(), &account_ids)?
        };
        Ok(Records {
            leads: leads.into_iter().map(|l| (l.id.clone(), l)).collect(),
            accounts: accounts.into_iter().map(|a| (a.id.clone(), a)).collect(),
        })
    }

    /// The record `target` names, set on `row`, with the refusal one visit would get (`Ok(Err)`)
    /// when the caller may not log a visit there; `Err` for a failed read.
    fn resolve(
        &mut self,
        conn: &mut DbConnection,
        caller: &Caller,
        target: &Target,
        row: &mut ironfield_persistence::visits::NewVisit,
    ) -> ApiResult<Result<Known, ApiError>> {
        let refused = |error: ApiError| {
            if error.code.status().is_client_error() {
                Ok(Err(error))
            } else {
                Err(error)
            }
        };
        match target {
            Target::Lead(id) => {
                if let Err(error) = caller.require_scope(Scope::LeadsRead) {
                    return refused(error);
                }
                let visible = |lead: &LeadRow| caller.can_see_team(lead.team_id.as_ref());
                let Some(lead) = self.leads.get(id).filter(|l| visible(l)).cloned() else {
                    return Ok(Err(ApiError::invalid_field("lead_id", "no such lead")));
                };
                let leads = &mut self.leads;
                let lead = lead_to_log(caller, lead, |survivor| {
                    let lead = match leads.get(survivor) {
                        Some(lead) => lead.clone(),
                        None => {
                            let lead = lead_store::find(conn, &TeamScope::everything(), survivor)?;
                            leads.insert(lead.id.clone(), lead.clone());
                            lead
                        }
                    };
                    // As a read in the sender's view would: outside it, there is no such lead.
                    if visible(&lead) {
                        Ok(lead)
                    } else {
                        Err(DbError::NotFound)
                    }
                });
                match lead {
                    Ok(lead) => {
                        row.lead_id = Some(lead.id.clone());
                        Ok(Ok(Known::from_lead(&lead)))
                    }
                    Err(error) => refused(error),
                }
            }
            Target::Account(id) => {
                if let Err(error) = caller.require_scope(Scope::AccountsRead) {
                    return refused(error);
                }
                match self
                    .accounts
                    .get(id)
                    .filter(|a| caller.can_see_team(a.team_id.as_ref()))
                {
                    Some(account) => {
                        row.seller_account_id = Some(account.id.clone());
                        Ok(Ok(Known::from_account(account)))
                    }
                    None => Ok(Err(ApiError::invalid_field(
                        "seller_account_id",
                        "no such seller account",
                    ))),
                }
            }
            Target::NewLead(_) => Err(ApiError::internal(NewStallInBulk)),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("a visit bringing a new stall reached the batch's bulk path")]
struct NewStallInBulk;
