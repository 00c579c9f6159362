package fr.rempla.shared

import fr.rempla.ffi.AnswerOutcome
import fr.rempla.ffi.OfflineCalendarInterface
import fr.rempla.ffi.ProposalRecord
import fr.rempla.ffi.ProposalState
import fr.rempla.ffi.RemplaEvent
import java.time.Duration
import java.time.Instant

/** French countdown labels for answer deadlines, computed from an instant "now" (injectable in tests). */
object Countdown {
    /** Below this, a deadline is shown as urgent (the server's reminder goes out 24 h before). */
    val URGENT: Duration = Duration.ofHours(24)

    /** "Expire dans 2 j 3 h", "Expire dans 5 h 20 min", "Expire dans 12 min", "Délai dépassé". */
    fun label(deadline: Instant, now: Instant): String {
        val left = Duration.between(now, deadline)
        if (left.isNegative || left.isZero) return "Délai dépassé"
        val days = left.toDays()
        val hours = left.toHoursPart()
        val minutes = left.toMinutesPart()
        return when {
            days > 0 -> "Expire dans $days j $hours h"
            hours > 0 -> "Expire dans $hours h $minutes min"
            minutes > 0 -> "Expire dans $minutes min"
            else -> "Expire dans moins d'une minute"
        }
    }

    /** The label of a proposal: its countdown while it can be answered, else its outcome. */
    fun label(proposal: ProposalRecord, now: Instant): String = when (proposal.state) {
        ProposalState.SENT ->
            if (!proposal.fromFacility) "Candidature envoyée" else label(Instant.parse(proposal.deadline), now)
        ProposalState.ACCEPTED -> "Acceptée"
        ProposalState.DECLINED -> "Refusée"
        ProposalState.EXPIRED -> "Expirée"
        ProposalState.WITHDRAWN -> "Retirée"
    }
}

/** One row of the proposals screen. */
data class ProposalItem(
    val proposal: ProposalRecord,
    /** French countdown or outcome ("Expire dans 2 j 3 h", "Acceptée"). */
    val label: String,
    /** Time left to answer; null when it cannot be answered any more. */
    val remaining: Duration?,
    /** Less than 24 h left. */
    val urgent: Boolean,
) {
    /** Whether the accept and decline buttons show. */
    val answerable: Boolean get() = remaining != null
}

/** What the proposals screen shows. */
data class ProposalsUiState(
    val items: List<ProposalItem> = emptyList(),
    /** Proposals waiting for the doctor's answer (the tab's badge). */
    val answerable: Int = 0,
    /** An answer is being sent. */
    val answering: String? = null,
    /** What the last answer did (mission id after an acceptance). */
    val lastAnswer: AnswerOutcome? = null,
    val error: UiError? = null,
)

/**
 * The proposals inbox with live countdowns: [refresh] reloads from the library (also on every
 * `ProposalsChanged` event after a sync), [tick] recomputes the countdowns from [clock] (the screen calls
 * it every second or minute; a deadline passing turns the row into "Délai dépassé" without the network).
 * [accept] and [decline] block on the network: call them from a background executor.
 */
class ProposalsViewModel(
    private val calendar: OfflineCalendarInterface,
    events: RemplaEvents,
    private val clock: () -> Instant = Instant::now,
) : AutoCloseable {
    val state = Observable(ProposalsUiState())
    private var records: List<ProposalRecord> = emptyList()
    private val unsubscribe = events.subscribe { event ->
        if (event is RemplaEvent.ProposalsChanged) refresh()
    }

    init {
        refresh()
    }

    /** Reloads the proposals as last synced. */
    fun refresh() {
        try {
            records = calendar.proposalsInbox()
            tick()
        } catch (e: Exception) {
            state.set(state.value.copy(error = UiError.of(e)))
        }
    }

    /** Recomputes the countdowns at [clock]'s now. */
    fun tick() {
        val now = clock()
        val items = records.map { p ->
            val deadline = Instant.parse(p.deadline)
            val open = p.answerable && deadline.isAfter(now)
            val remaining = if (open) Duration.between(now, deadline) else null
            ProposalItem(
                proposal = p,
                label = if (p.answerable && !open) "Délai dépassé" else Countdown.label(p, now),
                remaining = remaining,
                urgent = remaining != null && remaining < Countdown.URGENT,
            )
        }
        state.set(state.value.copy(items = items, answerable = items.count { it.answerable }))
    }

    /**
     * Accepts a proposal (sharing [documentIds], or the default documents when null), with an optional
     * [reason] the facility reads; true when done.
     */
    fun accept(id: String, documentIds: List<String>? = null, reason: String? = null): Boolean = answer(id, true, documentIds, reason)

    /** Declines a proposal, saying why if the doctor wants to ([reason], shown to the facility); true when done. */
    fun decline(id: String, reason: String? = null): Boolean = answer(id, false, null, reason)

    private fun answer(id: String, accept: Boolean, documentIds: List<String>?, reason: String?): Boolean {
        state.set(state.value.copy(answering = id, error = null))
        return try {
            val outcome = calendar.answerProposal(id, accept, documentIds, reason)
            state.set(state.value.copy(answering = null, lastAnswer = outcome))
            refresh()
            true
        } catch (e: Exception) {
            state.set(state.value.copy(answering = null, error = UiError.of(e)))
            false
        }
    }

    override fun close() = unsubscribe()
}
