package fr.rempla.shared

import fr.rempla.ffi.AvailabilityInput
import fr.rempla.ffi.AvailabilityStatus
import fr.rempla.ffi.ConnectionState
import fr.rempla.ffi.MapBounds
import fr.rempla.ffi.OfflineCalendar
import fr.rempla.ffi.ProposalState
import fr.rempla.ffi.PushKind
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
import kotlin.random.Random
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertNotNull
import kotlin.test.assertNull
import kotlin.test.assertTrue

// Scenarios against a real rempla-server process started by mobile-bindings/test-kotlin.sh (SQLite in a
// temp dir, demo dataset): its URL and data dir come as system properties. The facility's side is played
// over HTTP (java.net.http) with the demo coordinator's account, as the facility's web app would.

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
            // Registered under the lock cut() takes, and dropped if cut() ran since accept(): a
            // connection accepted just before a cut must not survive it.
            val kept = synchronized(open) {
                if (socket.isClosed) false else { open += client; open += upstream; true }
            }
            if (!kept) {
                client.close(); upstream.close(); break
            }
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
        synchronized(open) {
            listener.close()
            open.forEach { try { it.close() } catch (e: Exception) {} }
            open.clear()
        }
    }

    /** The network comes back, same address. */
    fun restore() {
        listener = ServerSocket().apply { reuseAddress = true; bind(InetSocketAddress(loopback, port), 50) }
        accept(listener)
    }

    override fun close() = cut()
}

/** The demo facility of Lannion (`sync-server/src/demo.rs`): its coordinator may propose for its site. */
private const val DEMO_COORDINATOR = "coordination@ch-lannion.demo.rempla.fr"

/** The facility's web app, played over HTTP: JSON in and out as text (no JSON library on this JVM). */
private class Http(private val base: String) {
    private val client = java.net.http.HttpClient.newHttpClient()

    /** Logs an account in as a new device; returns its bearer token. */
    fun login(email: String): String {
        val (status, body) = call(
            "POST", "/v1/auth/login", null,
            """{"email":"$email","password":"$DEMO_PASSWORD","device_id":"${java.util.UUID.randomUUID()}","device_name":"test","platform":"web"}""",
        )
        assertEquals(200, status, body)
        return assertNotNull(Regex("\"token\"\\s*:\\s*\"([^\"]+)\"").find(body)).groupValues[1]
    }

    fun call(method: String, path: String, token: String?, body: String? = null, type: String = "application/json", bytes: ByteArray? = null): Pair<Int, String> {
        val publisher = when {
            bytes != null -> java.net.http.HttpRequest.BodyPublishers.ofByteArray(bytes)
            body != null -> java.net.http.HttpRequest.BodyPublishers.ofString(body)
            else -> java.net.http.HttpRequest.BodyPublishers.noBody()
        }
        val request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
            .method(method, publisher)
            .apply { if (body != null || bytes != null) header("Content-Type", type) }
            .apply { if (token != null) header("Authorization", "Bearer $token") }
            .build()
        val response = client.send(request, java.net.http.HttpResponse.BodyHandlers.ofString())
        return response.statusCode() to response.body()
    }
}

/** A Web Push subscription's keys as a UnifiedPush connector makes them: a P-256 point and a secret. */
private fun webPushKeys(): Pair<String, String> {
    val generator = java.security.KeyPairGenerator.getInstance("EC")
    generator.initialize(java.security.spec.ECGenParameterSpec("secp256r1"))
    val key = generator.generateKeyPair().public as java.security.interfaces.ECPublicKey
    fun fixed(n: java.math.BigInteger) = n.toByteArray().let { b -> ByteArray(32 - minOf(32, b.size)) + b.takeLast(32).toByteArray() }
    val point = byteArrayOf(4) + fixed(key.w.affineX) + fixed(key.w.affineY)
    val b64 = java.util.Base64.getUrlEncoder().withoutPadding()
    return b64.encodeToString(point) to b64.encodeToString(Random.nextBytes(16))
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
    "sign-up, activation, terms, sign-in and account closure against the real server, errors as typed codes" to {
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
                // Signing up again answers as any sign-up (the form tells nobody who is registered); the
                // address's owner is told by mail instead.
                assertEquals(email, device.calendar.signUpDoctor(serverUrl, form).email)

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

                // Closing the account: the password is checked again; then this device is signed out and
                // the account cannot sign in any more.
                assertTrue(vm.signIn(email, form.password), vm.state.value.error.toString())
                val privacy = PrivacyViewModel(device.calendar)
                assertTrue(!privacy.closeAccount("pas-le-bon-mot-de-passe"))
                assertEquals("wrong_password", privacy.state.value.error?.code)
                assertTrue(device.calendar.syncState().signedIn, "a refused closure changes nothing")
                assertTrue(privacy.closeAccount(form.password), privacy.state.value.error.toString())
                assertTrue(privacy.state.value.closed)
                assertTrue(!device.calendar.syncState().signedIn)
                assertTrue(!vm.signIn(email, form.password))
                assertEquals("invalid_credentials", vm.state.value.error?.code)
            }
        }
    },
    "offline edits of a recurring availability sync, a second device sees the same calendar" to {
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
                    }
                }
            }
        }
    },
    "a facility's proposal arrives with its deadline, the doctor accepts from Kotlin, the mission and the booked slot follow; a booked slot edited offline raises the conflict event" to {
        withDir { dir ->
            val http = Http(serverUrl)
            CuttableLink(java.net.URI(serverUrl).port).use { phoneLink ->
                CuttableLink(java.net.URI(serverUrl).port).use { tabletLink ->
                    Device(dir, "phone-b").use { phone ->
                        Device(dir, "tablet-b").use { tablet ->
                            for ((device, link) in listOf(phone to phoneLink, tablet to tabletLink)) {
                                val vm = device.session(link.url)
                                assertTrue(vm.signIn(DEMO_DOCTOR, DEMO_PASSWORD), vm.state.value.error.toString())
                                assertNotNull(device.sync.syncNow(), device.sync.state.value.error.toString())
                            }
                            val doctorId = phone.calendar.doctorId()
                            val proposals = ProposalsViewModel(phone.calendar, phone.events)
                            val missions = MissionsViewModel(phone.calendar, phone.events)
                            assertEquals(0, proposals.state.value.items.size)

                            // The Lannion site's weekend request (two day shifts), which the demo doctor's
                            // calendar covers: the doctor's device has it cached from the sync.
                            val world = MapBounds(-85.0, -180.0, 85.0, 180.0)
                            val request = phone.calendar.cachedRequestsInBox(world)
                                .single { it.department == "22" && it.shifts.all { s -> s.kind == ShiftKind.DAY } }
                            val slot = phone.everything().single { !it.isSeries && it.start == request.shifts[0].start }
                            assertEquals(AvailabilityStatus.OPEN, slot.status)

                            // The facility checks its candidates and proposes to this doctor.
                            val coordinator = http.login(DEMO_COORDINATOR)
                            val (candidatesStatus, candidates) = http.call("GET", "/v1/requests/${request.id}/candidates", coordinator)
                            assertEquals(200, candidatesStatus, candidates)
                            assertTrue(candidates.contains(doctorId), "the doctor is a candidate: $candidates")
                            val proposalId = java.util.UUID.randomUUID().toString()
                            val (sent, sentBody) = http.call(
                                "POST", "/v1/requests/${request.id}/proposals", coordinator,
                                """{"doctor_id":"$doctorId","id":"$proposalId"}""",
                            )
                            assertEquals(201, sent, sentBody)

                            // The doctor's next sync brings it into the inbox, with its deadline.
                            phone.seen.clear()
                            assertNotNull(phone.sync.syncNow(), phone.sync.state.value.error.toString())
                            val changed = phone.seen.filterIsInstance<RemplaEvent.ProposalsChanged>().single()
                            assertEquals(1uL, changed.answerable)
                            val item = proposals.state.value.items.single()
                            val p = item.proposal
                            assertEquals(proposalId, p.id)
                            assertEquals(ProposalState.SENT, p.state)
                            assertTrue(p.answerable && p.fromFacility && !p.overdue)
                            assertEquals(request.id, p.request?.id)
                            assertEquals(request.shifts, p.shifts)
                            val deadline = java.time.Instant.parse(p.deadline)
                            val sentAt = java.time.Instant.parse(p.sentAt)
                            assertTrue(deadline.isAfter(sentAt.plus(java.time.Duration.ofDays(2))), "three business days: ${p.sentAt} → ${p.deadline}")
                            assertTrue(item.label.matches(Regex("Expire dans \\d+ j \\d+ h")), item.label)

                            // The live countdown, from a clock the test sets.
                            var now = deadline.minus(java.time.Duration.ofDays(2).plusHours(3))
                            ProposalsViewModel(phone.calendar, phone.events) { now }.use { ticking ->
                                assertEquals("Expire dans 2 j 3 h", ticking.state.value.items.single().label)
                                assertTrue(!ticking.state.value.items.single().urgent)
                                now = deadline.minus(java.time.Duration.ofMinutes(90))
                                ticking.tick()
                                assertEquals("Expire dans 1 h 30 min", ticking.state.value.items.single().label)
                                assertTrue(ticking.state.value.items.single().urgent)
                                now = deadline.plusSeconds(1)
                                ticking.tick()
                                assertEquals("Délai dépassé", ticking.state.value.items.single().label)
                                assertEquals(0, ticking.state.value.answerable)
                            }

                            // Errors cross as typed exceptions with codes; offline nothing changes.
                            assertEquals("not_found", assertFailsWith<RemplaException.NotFound> { phone.calendar.answerProposal(java.util.UUID.randomUUID().toString(), true, null, null) }.code)
                            assertEquals("invalid_id", assertFailsWith<RemplaException.Invalid> { phone.calendar.answerProposal("pas-un-id", true, null, null) }.code)
                            phoneLink.cut()
                            assertTrue(!proposals.accept(proposalId))
                            assertEquals("offline", proposals.state.value.error?.code)
                            assertEquals(ProposalState.SENT, phone.calendar.proposalsInbox().single().state)
                            assertEquals(0uL, phone.calendar.pendingChanges())
                            phoneLink.restore()

                            // The doctor accepts: the mission arrives and the slot is booked.
                            phone.seen.clear()
                            assertEquals("too_long", assertFailsWith<RemplaException.Invalid> { phone.calendar.answerProposal(proposalId, true, null, "x".repeat(501)) }.code)
                            assertTrue(proposals.accept(proposalId, reason = "Je connais le service, à bientôt"), proposals.state.value.error.toString())
                            val outcome = assertNotNull(proposals.state.value.lastAnswer)
                            assertEquals(ProposalState.ACCEPTED, outcome.state)
                            assertTrue(outcome.synced)
                            val missionId = assertNotNull(outcome.missionId)
                            assertEquals(ProposalState.ACCEPTED, proposals.state.value.items.single().proposal.state)
                            // The reason came back with the synced record, and the facility's name with it.
                            assertEquals("Je connais le service, à bientôt", proposals.state.value.items.single().proposal.answerReason)
                            assertTrue(!proposals.state.value.items.single().proposal.facilityName.isNullOrBlank())
                            assertEquals(0, proposals.state.value.answerable)
                            assertTrue(phone.seen.any { it is RemplaEvent.MissionsChanged }, "missions event: ${phone.seen}")
                            val mission = missions.state.value.missions.single()
                            assertEquals(missionId to request.id, mission.id to mission.requestId)
                            assertEquals("confirmed", mission.status)
                            assertEquals(request.shifts.map { it.start }, mission.shifts.map { it.start })
                            assertEquals(AvailabilityStatus.BOOKED, phone.calendar.getAvailability(slot.availabilityId).status)
                            missions.open(missionId)
                            val contacts = assertNotNull(missions.state.value.selected?.contacts, missions.state.value.contactsNote)
                            assertTrue(contacts.siteAddress.isNotBlank() && contacts.sitePostcode == "22300", contacts.toString())
                            assertTrue(contacts.people.any { it.email == DEMO_COORDINATOR }, contacts.people.toString())
                            phoneLink.cut()
                            missions.open(missionId)
                            assertNull(missions.state.value.selected?.contacts)
                            assertEquals("offline", missions.state.value.selected?.contactsError)
                            assertEquals(mission, missions.state.value.selected?.mission)
                            phoneLink.restore()
                            // Answering again differently is a conflict with the server's code.
                            assertEquals("proposal_answered", assertFailsWith<RemplaException.Conflict> { phone.calendar.answerProposal(proposalId, false, null, null) }.code)

                            // The conflict path: the tablet, offline and unaware of the booking, edits the slot.
                            tabletLink.cut()
                            val edited = AvailabilityForm(kind = ShiftKind.MORNING, date = java.time.LocalDate.parse(slot.localDate), department = "22")
                            assertTrue(tablet.calendar.editAvailability(slot.availabilityId, edited.toInput()))
                            tabletLink.restore()
                            tablet.seen.clear()
                            val round = assertNotNull(tablet.sync.syncNow(), tablet.sync.state.value.error.toString())
                            assertEquals(1uL, round.rejected)
                            val conflict = tablet.seen.filterIsInstance<RemplaEvent.SyncConflict>().single()
                            assertEquals("availability" to slot.availabilityId, conflict.entity to conflict.entityId)
                            assertEquals("slot_booked", conflict.code)
                            assertTrue(conflict.message.isNotBlank())
                            val after = tablet.calendar.getAvailability(slot.availabilityId)
                            assertEquals(ShiftKind.DAY to AvailabilityStatus.BOOKED, after.kind to after.status)
                            assertEquals("availability_booked", assertFailsWith<RemplaException.Conflict> { tablet.calendar.editAvailability(slot.availabilityId, edited.toInput()) }.code)
                            assertEquals(missionId, tablet.calendar.missions().single().id)
                            assertEquals(phone.everything(), tablet.everything())
                            missions.close()
                            proposals.close()
                        }
                    }
                }
            }
        }
    },
    "documents list (kept for offline), push targets round trip, privacy export ZIP with data.json" to {
        withDir { dir ->
            val http = Http(serverUrl)
            CuttableLink(java.net.URI(serverUrl).port).use { link ->
                Device(dir, "privacy").use { phone ->
                    val email = "medecin02@demo.rempla.fr"
                    assertTrue(phone.session(link.url).signIn(email, DEMO_PASSWORD))
                    val doctorToken = http.login(email)
                    // A diploma uploaded from the phone: bytes and the type the picker declared.
                    val pdf = "%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n".toByteArray()
                    val docs = DocumentsViewModel(phone.calendar, java.time.ZoneId.of("Europe/Paris"))
                    // A file that is not what the picker said is refused before sending, with the server's code.
                    assertTrue(!docs.upload("<html>".toByteArray(), "application/pdf", "diploma", "page.pdf"))
                    assertEquals("unsupported_media_type", docs.state.value.error?.code)
                    assertTrue(!docs.upload(pdf, "image/png", "diploma", "these.png"))
                    assertEquals("media_type_mismatch", docs.state.value.error?.code)
                    // The server's own refusal keeps its code: an insurance without its end date.
                    assertTrue(!docs.upload(pdf, "application/pdf", "insurance", "rcp.pdf"))
                    assertEquals("expiry_required", docs.state.value.error?.code)
                    assertTrue(docs.upload(pdf, "application/pdf", "diploma", "these.pdf"), docs.state.value.error.toString())
                    val listed = docs.state.value.documents.single { it.name == "these.pdf" }
                    assertEquals("diploma" to pdf.size.toULong(), listed.kind to listed.size)
                    assertNull(docs.state.value.offlineNote)
                    link.cut()
                    docs.load()
                    assertEquals(listOf(listed), docs.state.value.documents.filter { it.name == "these.pdf" })
                    assertTrue(docs.state.value.offlineNote?.startsWith("Hors ligne : liste du ") == true, docs.state.value.offlineNote)
                    link.restore()

                    // Push: FCM, then UnifiedPush as Web Push; listed on the server; switched off.
                    val privacy = PrivacyViewModel(phone.calendar)
                    val fcm = "fcm-" + "a1B2".repeat(10)
                    assertTrue(privacy.registerFcm(fcm), privacy.state.value.error.toString())
                    val (p256dh, auth) = webPushKeys()
                    assertTrue(privacy.registerUnifiedPush("https://up.example.net/push/abc", p256dh, auth), privacy.state.value.error.toString())
                    val mine = privacy.state.value.targets.filter { it.thisDevice }
                    assertEquals(setOf("fcm" to fcm, "webpush" to "https://up.example.net/push/abc"), mine.map { it.kind to it.address }.toSet())
                    val (listStatus, serverList) = http.call("GET", "/v1/me/push-targets", doctorToken)
                    assertEquals(200, listStatus, serverList)
                    assertTrue(serverList.contains(fcm) && serverList.contains("up.example.net"), serverList)
                    assertEquals("invalid_token", assertFailsWith<RemplaException.Invalid> { phone.calendar.registerPushTarget(PushKind.FCM, "pas un jeton !", null) }.code)
                    assertEquals("invalid_endpoint", assertFailsWith<RemplaException.Invalid> { phone.calendar.registerPushTarget(PushKind.UNIFIED_PUSH, "http://up.example.net/x", fr.rempla.ffi.WebPushKeys(p256dh, auth)) }.code)
                    assertEquals("invalid_key", assertFailsWith<RemplaException.Invalid> { phone.calendar.registerPushTarget(PushKind.UNIFIED_PUSH, "https://up.example.net/x", null) }.code)
                    assertEquals("not_found", assertFailsWith<RemplaException.NotFound> { phone.calendar.unregisterPushTarget(java.util.UUID.randomUUID().toString()) }.code)
                    assertTrue(privacy.disablePushOnThisDevice(), privacy.state.value.error.toString())
                    assertTrue(!privacy.state.value.pushOnThisDevice)

                    // The export: a real ZIP with data.json about this doctor, written where asked.
                    val zip = File(dir, "mes-donnees.zip")
                    assertTrue(privacy.export(zip), privacy.state.value.error.toString())
                    assertEquals(zip.length().toULong(), privacy.state.value.export?.bytes)
                    val entries = mutableMapOf<String, String>()
                    java.util.zip.ZipInputStream(zip.inputStream()).use { z ->
                        while (true) {
                            val entry = z.nextEntry ?: break
                            entries[entry.name] = z.readBytes().toString(Charsets.UTF_8)
                        }
                    }
                    assertTrue("data.json" in entries && "calendar.ics" in entries, entries.keys.toString())
                    assertTrue(entries.getValue("data.json").contains(phone.calendar.doctorId()))
                    assertTrue(entries.keys.any { it.startsWith("documents/") && it.endsWith("these.pdf") }, entries.keys.toString())
                    assertEquals("invalid_path", assertFailsWith<RemplaException.Invalid> { phone.calendar.exportMyData("relatif.zip") }.code)
                    link.cut()
                    assertTrue(!privacy.export(File(dir, "hors-ligne.zip")))
                    assertEquals("offline", privacy.state.value.error?.code)
                    assertTrue(!File(dir, "hors-ligne.zip").exists())
                    assertEquals(listOf("mes-donnees.zip"), dir.list()!!.filter { it.endsWith(".zip") || it.endsWith(".part") })
                    link.restore()
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
                // The demo's doctors live 3 to 25 km from the site they work for (sync-server/src/demo.rs, home_near).
                assertTrue((fit.distanceKm ?: 99.0) in 2.5..25.5, "the doctor lives near the site: ${fit.distanceKm}")
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
    "calendar feed: the doctor's secret address read as a calendar program would, rotated, then deleted" to {
        withDir { dir ->
            val http = Http(serverUrl)
            Device(dir, "feed").use { phone ->
                val email = "medecin03@demo.rempla.fr"
                assertTrue(phone.session(serverUrl).signIn(email, DEMO_PASSWORD))
                val feed = phone.calendar.createCalendarFeed(true)
                assertTrue(feed.webcalUrl.startsWith("webcal://") && feed.url.endsWith(".ics"), feed.toString())
                assertEquals(listOf(feed.id), phone.calendar.calendarFeeds().map { it.id })
                val path = java.net.URI.create(feed.url).rawPath
                val (status, body) = http.call("GET", path, null)
                assertEquals(200, status, body)
                assertTrue(body.startsWith("BEGIN:VCALENDAR") && body.contains("X-WR-CALNAME:Rempla – mes missions"), body.take(300))
                // A new address: the old one stops at once.
                val rotated = phone.calendar.rotateCalendarFeed(feed.id)
                assertTrue(rotated.url != feed.url)
                assertEquals(404, http.call("GET", path, null).first)
                assertEquals(200, http.call("GET", java.net.URI.create(rotated.url).rawPath, null).first)
                assertEquals("invalid_id", assertFailsWith<RemplaException.Invalid> { phone.calendar.revokeCalendarFeed("pas-un-id") }.code)
                phone.calendar.revokeCalendarFeed(feed.id)
                assertEquals(404, http.call("GET", java.net.URI.create(rotated.url).rawPath, null).first)
                assertTrue(phone.calendar.calendarFeeds().isEmpty())
            }
        }
    },
)
