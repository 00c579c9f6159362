package fr.rempla.shared

import fr.rempla.ffi.AvailabilityInput
import fr.rempla.ffi.AvailabilityStatus
import fr.rempla.ffi.ConnectionState
import fr.rempla.ffi.MapBounds
import fr.rempla.ffi.OfflineCalendar
import fr.rempla.ffi.Occurrence
import fr.rempla.ffi.RemplaEvent
import fr.rempla.ffi.RemplaException
import fr.rempla.ffi.ShiftKind
import fr.rempla.ffi.SignUpInput
import fr.rempla.ffi.checkRpps
import java.io.File
import java.net.InetAddress
import java.net.InetSocketAddress
import java.net.ServerSocket
import java.net.Socket
import java.nio.file.Files
import java.time.DayOfWeek
import java.time.LocalDate
import java.util.Collections
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.TimeUnit
import kotlin.random.Random
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

// Scenarios against a real rempla-server process started by mobile-bindings/test-kotlin.sh (SQLite in a
// temp dir, demo dataset): its URL, data dir and the booking helper come as system properties.

private fun property(name: String): String =
    System.getProperty(name) ?: error("-D$name missing: run these tests through mobile-bindings/test-kotlin.sh")

private val serverUrl get() = property("rempla.server")
private val serverData get() = File(property("rempla.serverData"))

/** A demo doctor (`sync-server/src/demo.rs`): verified, terms accepted. */
private const val DEMO_DOCTOR = "medecin01@demo.rempla.fr"
private const val DEMO_PASSWORD = "demo-rempla-2026"

/**
 * A TCP forwarder between the devices and the server that the test can cut (the phone loses its network:
 * connections are refused) and restore on the same port.
 */
private class CuttableLink(private val target: Int) : AutoCloseable {
    private val loopback = InetAddress.getLoopbackAddress()
    private var listener = ServerSocket(0, 50, loopback)
    val port = listener.localPort
    val url get() = "http://127.0.0.1:$port"
    private val open = Collections.synchronizedList(mutableListOf<Socket>())

    init {
        accept(listener)
    }

    private fun accept(socket: ServerSocket) = Thread {
        while (!socket.isClosed) {
            val client = try { socket.accept() } catch (e: Exception) { break }
            val upstream = try { Socket(loopback, target) } catch (e: Exception) { client.close(); continue }
            open += client
            open += upstream
            pipe(client, upstream)
            pipe(upstream, client)
        }
    }.apply { isDaemon = true; start() }

    private fun pipe(from: Socket, to: Socket) = Thread {
        try {
            from.getInputStream().copyTo(to.getOutputStream())
        } catch (e: Exception) {
            // closed by cut() or by the other side
        } finally {
            try { to.shutdownOutput() } catch (e: Exception) {}
        }
    }.apply { isDaemon = true; start() }

    /** The network goes away: the port refuses connections and live connections drop. */
    fun cut() {
        listener.close()
        synchronized(open) { open.forEach { try { it.close() } catch (e: Exception) {} }; open.clear() }
    }

    /** The network comes back, same address. */
    fun restore() {
        listener = ServerSocket().apply { reuseAddress = true; bind(InetSocketAddress(loopback, port), 50) }
        accept(listener)
    }

    override fun close() = cut()
}

/** Books an availability on the server as the acceptance of a proposal does (test support binary). */
private fun bookOnServer(availabilityId: String) {
    val process = ProcessBuilder(property("rempla.bookTool"), serverData.path, availabilityId)
        .redirectErrorStream(true).start()
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "server_book timed out")
    val output = process.inputStream.bufferedReader().readText()
    assertEquals(0, process.exitValue(), "server_book: $output")
}

/** A device of its own: a calendar file, the event fan-out, the sync view model. */
private class Device(dir: File, name: String) : AutoCloseable {
    val calendar = OfflineCalendar.open(File(dir, "$name.sqlite3").path)
    val events = RemplaEvents().also { it.attach(calendar) }
    val seen = CopyOnWriteArrayList<RemplaEvent>().also { list -> events.subscribe { list += it } }
    val sync = SyncViewModel(calendar, events)

    fun session(server: String) = SessionViewModel(calendar, server, "JVM test", "android")

    /** Every occurrence from November 2026 to the end of 2027 (demo data and the scenario's). */
    fun everything(): List<Occurrence> = calendar.listRange("2026-11-01T00:00:00Z", "2028-01-01T00:00:00Z")

    override fun close() {
        sync.close()
        calendar.clearEventListener()
        calendar.close()
    }
}

private fun <T> withDir(block: (File) -> T): T {
    val dir = Files.createTempDirectory("rempla-kotlin-sync").toFile()
    try {
        return block(dir)
    } finally {
        dir.deleteRecursively()
    }
}

/** A valid RPPS nobody uses: ten random digits and the Luhn key found with the library's own check. */
private fun freshRpps(): String {
    while (true) {
        val prefix = "1" + (1..9).map { Random.nextInt(10) }.joinToString("")
        for (key in 0..9) {
            val candidate = "$prefix$key"
            try {
                return checkRpps(candidate)
            } catch (e: RemplaException.Invalid) {
                // not the key
            }
        }
    }
}

// The activation link's token from the server's outbox (.eml files in <data>/outbox, no SMTP in tests).
private fun activationToken(email: String): String {
    val outbox = File(serverData, "outbox")
    repeat(50) {
        val mails = outbox.listFiles { f -> f.name.endsWith(".eml") }.orEmpty()
            .map { it.readText() }
            // quoted-printable soft line breaks and `=` escapes, in case the mail is encoded
            .map { it.replace("=\r\n", "").replace("=\n", "").replace("=3D", "=") }
            .filter { it.contains(email) }
        val token = mails.firstNotNullOfOrNull { Regex("activate\\?token=([A-Za-z0-9_\\-]+)").find(it)?.groupValues?.get(1) }
        if (token != null) return token
        Thread.sleep(100)
    }
    error("no activation e-mail for $email in $outbox")
}

internal val serverTests = linkedMapOf<String, () -> Unit>(
    "sign-up, activation, terms and sign-in against the real server, errors as typed codes" to {
        withDir { dir ->
            Device(dir, "new").use { device ->
                val vm = device.session(serverUrl)
                val email = "dr.${System.nanoTime()}@exemple.fr"
                val form = SignUpInput(email, "mot-de-passe-solide", freshRpps(), "Camille", "Durand", listOf("medecine-generale"))

                // Refused before anything is sent: the same code as the server's.
                assertTrue(!vm.signUp(form.copy(rpps = "10000001917")))
                assertEquals("rpps_checksum", vm.state.value.error?.code)
                // Refused by the server, its domain code kept: a password too short.
                val short = assertFailsWith<RemplaException.Invalid> { device.calendar.signUpDoctor(serverUrl, form.copy(password = "court")) }
                assertEquals("password_too_short", short.code)

                assertTrue(vm.signUp(form), vm.state.value.error.toString())
                assertTrue(vm.state.value.awaitingActivation)
                assertEquals("conflict", assertFailsWith<RemplaException.Conflict> { device.calendar.signUpDoctor(serverUrl, form) }.code)

                assertTrue(!vm.signIn(email, form.password))
                assertEquals("account_not_activated", vm.state.value.error?.code)

                assertTrue(vm.activate(activationToken(email)), vm.state.value.error.toString())
                assertTrue(!vm.signIn(email, "pas-le-bon-mot-de-passe"))
                assertEquals("invalid_credentials", vm.state.value.error?.code)

                // The terms must be accepted: the first sign-in shows them, the second accepts them.
                assertTrue(!vm.signIn(email, form.password))
                assertEquals("terms_not_accepted", vm.state.value.error?.code)
                val terms = assertNotNull(vm.state.value.termsToAccept)
                assertTrue(terms.text.isNotBlank() && terms.sha256.length == 64, terms.sha256)
                assertTrue(!device.calendar.syncState().signedIn, "no session kept without the terms")
                assertTrue(vm.signIn(email, form.password, acceptTerms = true), vm.state.value.error.toString())
                val session = assertNotNull(vm.state.value.session)
                assertEquals("doctor", session.role)
                assertEquals(terms.version, session.termsAccepted)
                assertEquals(session.doctorId, device.calendar.doctorId())

                assertTrue(vm.signOut())
                assertTrue(!device.calendar.syncState().signedIn)
                assertEquals("not_logged_in", assertFailsWith<RemplaException.Auth> { device.calendar.syncNow() }.code)
                assertEquals("invalid_server_url", assertFailsWith<RemplaException.Invalid> { device.calendar.currentTerms("ftp://x") }.code)
            }
        }
    },
    "offline edits of a recurring availability sync, a second device sees the same calendar, a booked slot edited offline raises the conflict event" to {
        withDir { dir ->
            CuttableLink(java.net.URI(serverUrl).port).use { link ->
                Device(dir, "phone").use { phone ->
                    // A calendar typed before the first sign-in becomes the doctor's at login.
                    val early = phone.calendar.addAvailability(
                        AvailabilityForm(kind = ShiftKind.DAY, date = LocalDate.of(2027, 5, 3), department = "22").toInput(),
                    )
                    val signIn = phone.session(link.url)
                    assertTrue(signIn.signIn(DEMO_DOCTOR, DEMO_PASSWORD), signIn.state.value.error.toString())
                    val session = assertNotNull(signIn.state.value.session)
                    assertEquals(1uL, session.adoptedRecords)
                    assertEquals(session.doctorId, phone.calendar.doctorId())

                    val first = assertNotNull(phone.sync.syncNow(), phone.sync.state.value.error.toString())
                    assertEquals(1uL, first.applied)
                    assertTrue(first.pulled > 1uL, "the demo doctor's calendar is pulled: ${first.pulled}")
                    assertEquals(ConnectionState.ONLINE, phone.sync.state.value.sync?.connection)
                    assertEquals("À jour", phone.sync.state.value.banner)
                    assertTrue(phone.seen.any { it is RemplaEvent.SyncProgress }, "progress events")

                    // The network goes away.
                    link.cut()
                    assertNull(phone.sync.syncNow())
                    assertEquals("offline", phone.sync.state.value.error?.code)
                    assertEquals(ConnectionState.OFFLINE, phone.sync.state.value.sync?.connection)
                    assertEquals("offline", assertFailsWith<RemplaException.Offline> { phone.calendar.syncNow() }.code)

                    // Offline: a weekly series of Monday nights in June 2027, edited, minus one occurrence.
                    val vm = CalendarViewModel(phone.calendar, java.time.ZoneId.of("Europe/Paris")) { LocalDate.of(2027, 6, 1) }
                    vm.showMonth(java.time.YearMonth.of(2027, 6))
                    val series = AvailabilityForm(
                        kind = ShiftKind.NIGHT, date = LocalDate.of(2027, 6, 7), department = "22",
                        repeat = Repeat.Weekly(setOf(DayOfWeek.MONDAY), count = 4),
                    )
                    val id = assertNotNull(vm.add(series), vm.state.value.error.toString())
                    assertTrue(vm.edit(id, series.copy(kind = ShiftKind.GARDE_NIGHT, repeat = Repeat.Weekly(setOf(DayOfWeek.MONDAY, DayOfWeek.TUESDAY), count = 8))))
                    assertTrue(vm.removeOccurrence(id, LocalDate.of(2027, 6, 15)), vm.state.value.error.toString())
                    assertEquals(3L, vm.state.value.pendingChanges)
                    phone.sync.refresh()
                    assertEquals("Hors ligne : 3 modification(s) en attente", phone.sync.state.value.banner)

                    // Back online: one round sends the three changes.
                    link.restore()
                    phone.seen.clear()
                    val back = assertNotNull(phone.sync.syncNow(), phone.sync.state.value.error.toString())
                    assertEquals(3uL to 3uL, back.pushed to back.applied)
                    assertEquals(0uL, back.rejected)
                    assertEquals(0uL, phone.calendar.pendingChanges())
                    assertEquals(ConnectionState.ONLINE, phone.sync.state.value.sync?.connection)
                    val push = phone.seen.filterIsInstance<RemplaEvent.SyncProgress>().first()
                    assertEquals(3uL to 0uL, push.pushed to push.pending)

                    val june = phone.calendar.listRange("2027-06-01T00:00:00+02:00", "2027-07-01T00:00:00+02:00").filter { it.availabilityId == id }
                    assertEquals(listOf("07", "08", "14", "21", "22", "28", "29").map { "2027-06-$it" }, june.map { it.localDate })
                    assertTrue(june.all { it.kind == ShiftKind.GARDE_NIGHT && it.isSeries })

                    // A second device of the same doctor sees the same calendar.
                    Device(dir, "tablet").use { tablet ->
                        assertTrue(tablet.session(serverUrl).signIn(DEMO_DOCTOR, DEMO_PASSWORD))
                        assertNotNull(tablet.sync.syncNow(), tablet.sync.state.value.error.toString())
                        assertEquals(phone.everything(), tablet.everything())
                        assertEquals(listOf("2027-06-15"), tablet.calendar.getAvailability(id).exceptions)
                        assertEquals(phone.calendar.getAvailability(early).copy(revision = 0u), tablet.calendar.getAvailability(early).copy(revision = 0u))

                        // The conflict path: a slot is booked on the server while the phone, offline, edits it.
                        val slot = phone.calendar.addAvailability(
                            AvailabilityForm(kind = ShiftKind.DAY, date = LocalDate.of(2027, 7, 5), department = "22").toInput(),
                        )
                        assertEquals(1uL, assertNotNull(phone.sync.syncNow()).applied)
                        bookOnServer(slot)
                        link.cut()
                        val moved = AvailabilityForm(kind = ShiftKind.NIGHT, date = LocalDate.of(2027, 7, 6), department = "22")
                        assertTrue(vm.edit(slot, moved), "the phone does not know yet: the edit is accepted locally")
                        assertEquals(ShiftKind.NIGHT, phone.calendar.getAvailability(slot).kind)
                        link.restore()
                        phone.seen.clear()
                        val round = assertNotNull(phone.sync.syncNow(), phone.sync.state.value.error.toString())
                        assertEquals(1uL, round.rejected)
                        assertEquals("slot_booked", round.conflicts.single().code)

                        val conflict = phone.seen.filterIsInstance<RemplaEvent.SyncConflict>().single()
                        assertEquals("availability" to slot, conflict.entity to conflict.entityId)
                        assertEquals("slot_booked", conflict.code)
                        assertTrue(conflict.message.isNotBlank())

                        // Rolled back to the server's version, which is now booked; kept for review.
                        val after = phone.calendar.getAvailability(slot)
                        assertEquals(ShiftKind.DAY to AvailabilityStatus.BOOKED, after.kind to after.status)
                        assertEquals("availability_booked", assertFailsWith<RemplaException.Conflict> { phone.calendar.editAvailability(slot, moved.toInput()) }.code)
                        val review = phone.sync.state.value.conflicts
                        assertEquals(listOf("slot_booked"), review.map { it.code })
                        phone.sync.dismiss(review)
                        assertEquals(0uL, phone.calendar.syncState().conflicts)

                        assertNotNull(tablet.sync.syncNow())
                        assertEquals(AvailabilityStatus.BOOKED, tablet.calendar.getAvailability(slot).status)
                        assertEquals(phone.everything(), tablet.everything())
                    }
                }
            }
        }
    },
    "requests near me: the cached open requests the doctor's calendar fits, with scores; map clusters add up" to {
        withDir { dir ->
            Device(dir, "near").use { phone ->
                assertEquals("doctor_profile_missing", assertFailsWith<RemplaException.NotFound> { phone.calendar.doctorProfile() }.code)
                // medecin03: anaesthetist based at the Lyon clinic (69), whose site posts anaesthesia requests.
                assertTrue(phone.session(serverUrl).signIn("medecin03@demo.rempla.fr", DEMO_PASSWORD))
                assertNotNull(phone.sync.syncNow(), phone.sync.state.value.error.toString())
                val profile = phone.calendar.doctorProfile()
                assertEquals("verified", profile.status)
                assertEquals(listOf("anesthesie-reanimation"), profile.specialties)
                assertEquals(phone.calendar.doctorId(), profile.id)

                val world = MapBounds(-85.0, -180.0, 85.0, 180.0)
                val cached = phone.calendar.cachedRequestsInBox(world)
                assertTrue(cached.size >= 5, "the demo's open requests are cached: ${cached.size}")
                for (zoom in listOf<UByte>(0u, 5u, 12u)) {
                    val clusters = phone.calendar.mapClusters(world, zoom)
                    assertEquals(cached.size.toULong(), clusters.sumOf { it.count }, "zoom $zoom")
                    assertTrue(clusters.all { (it.count == 1uL) == (it.requestId != null) })
                }
                assertTrue(phone.calendar.mapClusters(world, 0u).size <= phone.calendar.mapClusters(world, 12u).size)

                val now = java.time.Instant.now()
                val from = now.minus(java.time.Duration.ofDays(1)).toString()
                val to = now.plus(java.time.Duration.ofDays(200)).toString()
                val target = assertNotNull(
                    // The shortest (two day shifts): five nights in a row pass the 48 h / 7 days cap.
                    cached.filter { it.specialty in profile.specialties && it.department in profile.departments }
                        .minByOrNull { it.shifts.size },
                    "an anaesthesia request in the doctor's département",
                )
                // The doctor offers exactly the request's shifts: it now fits completely, at her base.
                for (shift in target.shifts) {
                    phone.calendar.addAvailability(
                        AvailabilityInput(ShiftKind.CUSTOM, null, target.department, shift.start, shift.end, null, emptyList(), null),
                    )
                }
                val near = phone.calendar.requestsNearMe(from, to)
                val fit = assertNotNull(near.firstOrNull { it.request.id == target.id }, "target among ${near.map { it.request.id }}")
                assertTrue(fit.complete, "every shift covered: $fit")
                assertTrue(fit.score > 0u && fit.explanations.isNotEmpty(), fit.toString())
                assertTrue((fit.distanceKm ?: 99.0) < 1.0, "the site is the doctor's base: ${fit.distanceKm}")
                assertTrue(near.all { it.request.specialty in profile.specialties }, "only her specialty")
                assertEquals(near.map { it.score }.sortedDescending(), near.map { it.score })
                assertEquals("window_too_wide", assertFailsWith<RemplaException.Invalid> { phone.calendar.requestsNearMe("2027-01-01T00:00:00Z", "2029-01-01T00:00:00Z") }.code)

                // The screen's view model: the same list, and the map's bubbles, refreshed by a sync.
                RequestsViewModel(phone.calendar, phone.events, java.time.Duration.ofDays(199)).use { requests ->
                    requests.refresh()
                    assertEquals(near.map { it.request.id }, requests.state.value.nearMe.map { it.request.id })
                    requests.showMap(world, 3u)
                    assertEquals(cached.size.toULong(), requests.state.value.clusters.sumOf { it.count })
                    assertNull(requests.state.value.error)
                }
            }
        }
    },
)
