package fr.rempla.shared

import fr.rempla.ffi.AvailabilityInput
import fr.rempla.ffi.AvailabilityRecord
import fr.rempla.ffi.ShiftKind
import java.time.DayOfWeek
import java.time.LocalDate

/** How an availability repeats, as the form offers it; turned into RFC 5545 rule text for core. */
sealed class Repeat {
    /** A single slot. */
    object None : Repeat()

    /** Every [interval] week(s) on [days], [count] times in all, or up to [until] (local date). */
    data class Weekly(
        val days: Set<DayOfWeek>,
        val interval: Int = 1,
        val count: Int? = null,
        val until: LocalDate? = null,
    ) : Repeat()

    /** Every [interval] day(s), [count] times in all, or up to [until]. */
    data class Daily(val interval: Int = 1, val count: Int? = null, val until: LocalDate? = null) : Repeat()

    /** Rule text typed or imported as is (core validates it). */
    data class Rule(val rrule: String) : Repeat()

    /** The RRULE text, or null for a single slot. Checking it is core's job, not the form's. */
    fun rrule(): String? = when (this) {
        None -> null
        is Rule -> rrule
        is Weekly -> buildString {
            append("FREQ=WEEKLY")
            if (interval != 1) append(";INTERVAL=$interval")
            append(";BYDAY=")
            append(days.sorted().joinToString(",") { it.name.take(2) })
            bound(count, until)
        }
        is Daily -> buildString {
            append("FREQ=DAILY")
            if (interval != 1) append(";INTERVAL=$interval")
            bound(count, until)
        }
    }

    private fun StringBuilder.bound(count: Int?, until: LocalDate?) {
        // A local date bound: the last occurrence may start at any time of that day (23:59:59 UTC would
        // cut an overseas evening shift, so the next day's start in UTC is used).
        if (count != null) append(";COUNT=$count")
        else if (until != null) append(";UNTIL=${until.plusDays(1).toString().replace("-", "")}T000000Z")
    }
}

/** The add/edit availability form. Fields are raw user choices; every rule is checked by core. */
data class AvailabilityForm(
    val kind: ShiftKind = ShiftKind.DAY,
    val date: LocalDate? = null,
    val department: String = "75",
    val customStart: String? = null,
    val customEnd: String? = null,
    val repeat: Repeat = Repeat.None,
    val exceptions: List<LocalDate> = emptyList(),
    val note: String? = null,
) {
    /** The record the bindings take. */
    fun toInput(): AvailabilityInput = AvailabilityInput(
        kind = kind,
        date = date?.toString(),
        department = department,
        customStart = customStart,
        customEnd = customEnd,
        rrule = repeat.rrule(),
        exceptions = exceptions.map { it.toString() },
        note = note,
    )

    companion object {
        /** The form pre-filled from a stored availability (edit); the département is the doctor's choice. */
        fun from(record: AvailabilityRecord, department: String): AvailabilityForm = AvailabilityForm(
            kind = record.kind,
            date = if (record.kind == ShiftKind.CUSTOM) null else LocalDate.parse(record.localDate),
            department = department,
            customStart = if (record.kind == ShiftKind.CUSTOM) record.start else null,
            customEnd = if (record.kind == ShiftKind.CUSTOM) record.end else null,
            repeat = record.rrule?.let { Repeat.Rule(it) } ?: Repeat.None,
            exceptions = record.exceptions.map(LocalDate::parse),
            note = record.note,
        )
    }
}
