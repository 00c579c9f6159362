package fr.rempla.shared

import fr.rempla.ffi.MapBounds
import fr.rempla.ffi.OfflineCalendar
import fr.rempla.ffi.RemplaEvent
import fr.rempla.ffi.RemplaException
import fr.rempla.ffi.ShiftKind
import fr.rempla.ffi.answerDeadline
import fr.rempla.ffi.checkRpps
import fr.rempla.ffi.liveNativeObjects
import fr.rempla.ffi.publicHolidays
import fr.rempla.ffi.shiftKinds
import java.io.File
import java.nio.file.Files
import java.time.DayOfWeek
import java.time.LocalDate
import java.time.YearMonth
import java.time.ZoneId
import java.util.concurrent.CopyOnWriteArrayList
import kotlin.system.exitProcess
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

// The Kotlin layer against the real native library, on a plain JVM: run by mobile-bindings/test-kotlin.sh.
// A tiny runner (no JUnit here): each test is a named function; the last line is `N passed, M failed`.

private val paris = ZoneId.of("Europe/Paris")
private val march2027 = YearMonth.of(2027, 3)

private fun tempDir(): File = Files.createTempDirectory("rempla-kotlin-test").toFile().also { it.deleteOnExit() }

/** A view model on a fresh calendar file, showing March 2027, "today" fixed. */
private fun <T> withCalendar(block: (OfflineCalendar, CalendarViewModel) -> T): T {
    val dir = tempDir()
    return OfflineCalendar.open(File(dir, "agenda.sqlite3").path).use { cal ->
        val vm = CalendarViewModel(cal, paris) { LocalDate.of(2027, 3, 10) }
        vm.showMonth(march2027)
        block(cal, vm)
    }.also { dir.deleteRecursively() }
}

private fun datesOf(state: CalendarUiState): List<String> =
    state.days.flatMap { d -> d.occurrences.map { d.date.toString() } }

private val tests = linkedMapOf<String, () -> Unit>(
    "an invalid RPPS crosses as RemplaException.Invalid with code rpps_checksum" to {
        assertEquals("10000001916", checkRpps("10000001916"))
        val e = assertFailsWith<RemplaException.Invalid> { checkRpps("10000001917") }
        assertEquals("rpps_checksum", e.code)
        assertTrue(e.userMessage.contains("RPPS"), e.userMessage)
        assertEquals("rpps_length", assertFailsWith<RemplaException> { checkRpps("123") }.code)
    },
    "French rules: holidays of Moselle, deadline in Martinique, shift kinds" to {
        val moselle = publicHolidays(2027, "57")
        assertTrue(moselle.any { it.date == "2027-12-26" }, "Saint-Étienne is a holiday in Moselle")
        assertEquals(11, publicHolidays(2027, "75").size)
        assertEquals("unknown_department", assertFailsWith<RemplaException.Invalid> { publicHolidays(2027, "99") }.code)
        val deadline = answerDeadline("2027-04-30T16:00:00-04:00", "972", 3u)
        assertTrue(deadline.endsWith("-04:00"), deadline)
        val kinds = shiftKinds()
        assertEquals(8, kinds.size)
        val night = kinds.first { it.kind == ShiftKind.NIGHT }
        assertEquals("20:00" to "08:00", night.localStart to night.localEnd)
    },
    "add and edit a recurring availability, remove one occurrence, list the month" to {
        withCalendar { cal, vm ->
            assertEquals("mars 2027", vm.state.value.title)
            assertEquals(35, vm.state.value.days.size) // Monday 1 March to Sunday 4 April
            val series = AvailabilityForm(
                kind = ShiftKind.DAY,
                date = LocalDate.of(2027, 3, 1),
                department = "22",
                repeat = Repeat.Weekly(setOf(DayOfWeek.MONDAY, DayOfWeek.TUESDAY), count = 8),
            )
            val id = assertNotNull(vm.add(series), vm.state.value.error.toString())
            assertEquals(
                listOf("01", "02", "08", "09", "15", "16", "22", "23").map { "2027-03-$it" },
                datesOf(vm.state.value),
            )
            val first = vm.state.value.days.first { it.date == LocalDate.of(2027, 3, 1) }.occurrences.single()
            assertEquals("08:00" to "20:00", first.localStart to first.localEnd)
            assertEquals("2027-03-01T07:00:00Z", first.start)
            assertTrue(first.isSeries)

            // Edit: nights now, ten of them; the form is pre-filled from the stored series.
            val form = assertNotNull(vm.editForm(id, "22"))
            assertEquals("FREQ=WEEKLY;BYDAY=MO,TU;COUNT=8", (form.repeat as Repeat.Rule).rrule)
            assertTrue(vm.edit(id, form.copy(kind = ShiftKind.NIGHT, repeat = Repeat.Weekly(setOf(DayOfWeek.MONDAY, DayOfWeek.TUESDAY), count = 10))))
            assertTrue(vm.removeOccurrence(id, LocalDate.of(2027, 3, 9)), vm.state.value.error.toString())
            val dates = datesOf(vm.state.value)
            assertEquals(
                listOf("01", "02", "08", "15", "16", "22", "23", "29", "30").map { "2027-03-$it" },
                dates,
            )
            // The night of Monday 29 March is after the DST change: 20:00 local is 18:00 UTC.
            val after = vm.state.value.days.first { it.date == LocalDate.of(2027, 3, 29) }.occurrences.single()
            assertEquals("2027-03-29T18:00:00Z", after.start)
            assertEquals("20:00" to "08:00", after.localStart to after.localEnd)
            assertEquals(3L, vm.state.value.pendingChanges) // add + edit + removed occurrence
            assertEquals(listOf("2027-03-09"), cal.getAvailability(id).exceptions)

            // Removing the same occurrence again is refused by core, with its code.
            assertTrue(!vm.removeOccurrence(id, LocalDate.of(2027, 3, 9)))
            assertEquals("no_such_occurrence", vm.state.value.error?.code)

            // Week view: Monday 22 to Sunday 28 March.
            vm.showWeek(LocalDate.of(2027, 3, 24))
            assertEquals("semaine du 22 mars 2027", vm.state.value.title)
            assertEquals(7, vm.state.value.days.size)
            assertEquals(listOf("2027-03-22", "2027-03-23"), datesOf(vm.state.value))
            vm.next()
            assertEquals(listOf("2027-03-29", "2027-03-30"), datesOf(vm.state.value))

            assertTrue(vm.remove(id))
            vm.showMonth(march2027)
            assertEquals(emptyList(), datesOf(vm.state.value))
            assertEquals("not_found", assertFailsWith<RemplaException.NotFound> { cal.removeAvailability(id) }.code)
        }
    },
    "a day garde on a weekday is refused with garde_day_not_allowed" to {
        withCalendar { cal, vm ->
            val wednesday = AvailabilityForm(kind = ShiftKind.GARDE_DAY, date = LocalDate.of(2027, 3, 3))
            assertNull(vm.add(wednesday))
            assertEquals("garde_day_not_allowed", vm.state.value.error?.code)
            val e = assertFailsWith<RemplaException.Invalid> { cal.addAvailability(wednesday.toInput()) }
            assertEquals("garde_day_not_allowed", e.code)
            // Easter Monday 2027 (29 March) is a holiday: a day garde is fine then, and on a Sunday.
            assertNotNull(vm.add(wednesday.copy(date = LocalDate.of(2027, 3, 29))))
            assertNotNull(vm.add(wednesday.copy(date = LocalDate.of(2027, 3, 7))))
            assertEquals(listOf("2027-03-07", "2027-03-29"), datesOf(vm.state.value))
            assertEquals(null, vm.state.value.error)
        }
    },
    "bad input never crashes: dates, ids, zones, map bounds come back as codes" to {
        withCalendar { cal, _ ->
            val input = AvailabilityForm(date = LocalDate.of(2027, 3, 1)).toInput()
            assertEquals("invalid_date", assertFailsWith<RemplaException.Invalid> { cal.addAvailability(input.copy(date = "2027-02-30")) }.code)
            assertEquals("unknown_department", assertFailsWith<RemplaException.Invalid> { cal.addAvailability(input.copy(department = "Paris")) }.code)
            assertEquals("invalid_id", assertFailsWith<RemplaException.Invalid> { cal.removeAvailability("42") }.code)
            assertEquals("recurrence_frequency_too_fine", assertFailsWith<RemplaException.Invalid> { cal.addAvailability(input.copy(rrule = "FREQ=MINUTELY")) }.code)
            assertEquals("custom_needs_bounds", assertFailsWith<RemplaException.Invalid> { cal.addAvailability(input.copy(kind = ShiftKind.CUSTOM)) }.code)
            assertEquals("invalid_datetime", assertFailsWith<RemplaException.Invalid> { cal.listRange("hier", "demain") }.code)
            assertEquals("unknown_zone", assertFailsWith<RemplaException.Invalid> { cal.importIcs(ByteArray(0), "Mars/Olympus", "x") }.code)
            assertEquals("coordinates", assertFailsWith<RemplaException.Invalid> { cal.cachedRequestsInBox(MapBounds(Double.NaN, 0.0, 1.0, 1.0)) }.code)
            assertEquals(emptyList(), cal.cachedRequestsInBox(MapBounds(41.0, -5.0, 51.5, 10.0)))
        }
    },
    "export .ics, import another calendar, refuse a hostile file" to {
        withCalendar { cal, vm ->
            vm.add(
                AvailabilityForm(
                    kind = ShiftKind.NIGHT, date = LocalDate.of(2027, 3, 1), department = "75",
                    repeat = Repeat.Weekly(setOf(DayOfWeek.MONDAY), count = 4), exceptions = listOf(LocalDate.of(2027, 3, 8)),
                ),
            )
            val ics = cal.exportIcs()
            assertTrue(ics.startsWith("BEGIN:VCALENDAR\r\n"), ics.take(40))
            assertTrue(ics.contains("BEGIN:VTIMEZONE\r\nTZID:Europe/Paris"), "VTIMEZONE written")
            assertTrue(ics.contains("RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4"), "rule written")
            assertTrue(ics.contains("EXDATE;TZID=Europe/Paris:20270308T200000"), "exception written")

            val google = """
                BEGIN:VCALENDAR
                VERSION:2.0
                PRODID:-//Google Inc//Google Calendar 70.9054//EN
                BEGIN:VEVENT
                UID:cours-du-soir@google.com
                DTSTART;TZID=Europe/Paris:20270302T180000
                DTEND;TZID=Europe/Paris:20270302T200000
                SUMMARY:Cours
                END:VEVENT
                END:VCALENDAR
            """.trimIndent().replace("\n", "\r\n") + "\r\n"
            val summary = cal.importIcs(google.toByteArray(), "Europe/Paris", "google:perso")
            assertEquals(1uL, summary.periods)
            assertEquals(1uL, summary.upserted)
            assertEquals(0uL, cal.importIcs(google.toByteArray(), "Europe/Paris", "google:perso").upserted)

            val nested = buildString {
                append("BEGIN:VCALENDAR\r\n")
                repeat(10_000) { append("BEGIN:X-BOMB\r\n") }
            }
            val e = assertFailsWith<RemplaException.Invalid> { cal.importIcs(nested.toByteArray(), "Europe/Paris", "bomb") }
            assertEquals("ical_nesting_too_deep", e.code)
            val notUtf8 = byteArrayOf(0x42, 0x45, 0xff.toByte(), 0xfe.toByte())
            assertTrue(assertFailsWith<RemplaException.Invalid> { cal.importIcs(notUtf8, "Europe/Paris", "x") }.code.startsWith("ical_"))
        }
    },
    "the event listener receives NotificationsChanged; the inbox view model follows it" to {
        withCalendar { cal, _ ->
            val events = RemplaEvents()
            events.attach(cal)
            val seen = CopyOnWriteArrayList<RemplaEvent>()
            events.subscribe { seen += it }
            InboxViewModel(cal, events).use { inbox ->
                assertEquals(0L, inbox.state.value.unread)
                val id = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b"
                cal.receiveNotification(
                    """{"id":"$id","kind":"proposal_received","title":"Nouvelle proposition",
                       "body":"CH de Lannion, nuit du 27 mars","created_at":"2027-03-10T09:00:00Z",
                       "payload":{"proposal_id":"x"}}""",
                )
                assertEquals(listOf<RemplaEvent>(RemplaEvent.NotificationsChanged(1uL)), seen.toList())
                assertEquals(1L, inbox.state.value.unread)
                assertEquals("Nouvelle proposition", inbox.state.value.items.single().title)
                assertNull(inbox.state.value.items.single().readAt)

                inbox.markRead(id)
                assertEquals(RemplaEvent.NotificationsChanged(0uL), seen.last())
                assertEquals(0L, inbox.state.value.unread)
                assertNotNull(inbox.state.value.items.single().readAt)
                assertEquals(false, cal.markNotificationRead(id)) // already read: no event
                assertEquals(2, seen.size)
                assertEquals(1uL, cal.pendingChanges()) // the read mark is queued for other devices

                assertEquals("invalid_notification", assertFailsWith<RemplaException.Invalid> { cal.receiveNotification("{") }.code)
                assertEquals("not_found", assertFailsWith<RemplaException.NotFound> { cal.markNotificationRead("0190a1b2-c3d4-7e5f-8a9b-000000000000") }.code)
            }
            cal.clearEventListener()
        }
    },
    "a calendar reopened from its file keeps its data and doctor" to {
        val dir = tempDir()
        val path = File(dir, "agenda.sqlite3").path
        val (doctor, id) = OfflineCalendar.open(path).use { cal ->
            cal.doctorId() to cal.addAvailability(AvailabilityForm(date = LocalDate.of(2027, 3, 1)).toInput())
        }
        OfflineCalendar.open(path).use { cal ->
            assertEquals(doctor, cal.doctorId())
            assertEquals(ShiftKind.DAY, cal.getAvailability(id).kind)
            assertEquals(1uL, cal.pendingChanges())
        }
        dir.deleteRecursively()
    },
    "countdown labels in French from a fixed clock" to {
        val deadline = java.time.Instant.parse("2027-01-14T23:00:00Z")
        fun at(d: java.time.Duration) = Countdown.label(deadline, deadline.minus(d))
        assertEquals("Expire dans 2 j 3 h", at(java.time.Duration.ofDays(2).plusHours(3).plusMinutes(59)))
        assertEquals("Expire dans 1 j 0 h", at(java.time.Duration.ofDays(1)))
        assertEquals("Expire dans 23 h 5 min", at(java.time.Duration.ofHours(23).plusMinutes(5)))
        assertEquals("Expire dans 7 min", at(java.time.Duration.ofMinutes(7).plusSeconds(30)))
        assertEquals("Expire dans moins d'une minute", at(java.time.Duration.ofSeconds(59)))
        assertEquals("Délai dépassé", at(java.time.Duration.ZERO))
        assertEquals("Délai dépassé", at(java.time.Duration.ofSeconds(-1)))
    },
    "creating and closing 10,000 native objects frees their memory" to {
        fun rssKb(): Long = File("/proc/self/status").readLines().first { it.startsWith("VmRSS:") }
            .split(Regex("\\s+"))[1].toLong()
        fun settle() = repeat(3) { System.gc(); Thread.sleep(50) }
        val baseline = liveNativeObjects()
        // Warm up: JIT, JNA, SQLite's caches and the allocator reach their steady state.
        repeat(1_000) { OfflineCalendar.openInMemory().use { it.pendingChanges() } }
        settle()
        val before = rssKb()
        repeat(10_000) { OfflineCalendar.openInMemory().use { it.pendingChanges() } }
        settle()
        val after = rssKb()
        assertEquals(baseline, liveNativeObjects(), "every closed object is freed at once")
        val growthKb = after - before
        println("    RSS before ${before / 1024} MiB, after ${after / 1024} MiB, growth $growthKb KiB")
        // The bound is 2.4 KiB per object; one leaked store (SQLite connection, schema, statement cache)
        // holds far more, so a leak fails this by a wide margin.
        assertTrue(growthKb < 24 * 1024, "RSS grew by $growthKb KiB over 10,000 objects")
    },
)

fun main() {
    var passed = 0
    var failed = 0
    // REMPLA_KOTLIN_TESTS=word runs only the tests whose name contains it (while working on one).
    val only = System.getenv("REMPLA_KOTLIN_TESTS").orEmpty()
    for ((name, test) in (tests + serverTests).filterKeys { it.contains(only) }) {
        val started = System.nanoTime()
        try {
            test()
            passed++
            println("ok   $name (${(System.nanoTime() - started) / 1_000_000} ms)")
        } catch (e: Throwable) {
            failed++
            println("FAIL $name\n     $e")
            e.stackTrace.take(6).forEach { println("       at $it") }
        }
    }
    println("$passed passed, $failed failed")
    exitProcess(if (failed == 0) 0 else 1)
}
