import SwiftUI
import RemplaFFI

/// Proposals with a live countdown (red under 24 h) and accept / decline buttons.
struct ProposalsView: View {
    @ObservedObject var model: WorkflowModel

    var body: some View {
        List(model.proposals, id: \.id) { p in
            VStack(alignment: .leading) {
                Text(p.request.map { "\($0.specialty) – \($0.department)" } ?? "Proposition").bold()
                ForEach(p.shifts, id: \.start) { s in Text("\(s.start) → \(s.end)").font(.caption) }
                Text(model.label(p)).foregroundStyle(model.isUrgent(p) ? .red : .primary)
                if p.answerable {
                    HStack {
                        Button("Accepter") { model.answer(p.id, accept: true) }
                        Button("Refuser", role: .destructive) { model.answer(p.id, accept: false) }
                    }.disabled(model.busy)
                }
            }
        }
        .overlay(alignment: .bottom) { if let e = model.error { Text(e).foregroundStyle(.red) } }
    }
}

/// Missions; a tap reads the contacts from the server (offline: the synced mission, no contacts).
struct MissionsView: View {
    @ObservedObject var model: WorkflowModel

    var body: some View {
        if let details = model.mission {
            VStack(alignment: .leading) {
                Button("← Missions") { model.closeMission() }
                Text(details.mission.title).bold()
                Text("\(details.mission.startsAt) → \(details.mission.endsAt)")
                if let location = details.mission.location { Text(location) }
                if let c = details.contacts {
                    Text("\(c.facilityName) – \(c.siteName)").bold()
                    Text("\(c.siteAddress), \(c.sitePostcode)")
                    ForEach(c.people, id: \.displayName) { p in Text("\(p.displayName) (\(p.role)) \(p.email ?? "")") }
                } else if details.contactsError != nil {
                    Text("Coordonnées indisponibles hors ligne.")
                }
            }.padding()
        } else {
            List(model.missions, id: \.id) { m in
                Button { model.open(mission: m.id) } label: {
                    VStack(alignment: .leading) { Text(m.title).bold(); Text(m.startsAt).font(.caption) }
                }
            }
        }
    }
}

/// The document vault; offline, the list kept on the phone, said so.
struct DocumentsView: View {
    @ObservedObject var model: WorkflowModel

    var body: some View {
        List {
            if let list = model.documents, list.fromCache { Text("Hors ligne : liste du \(list.fetchedAt)") }
            ForEach(model.documents?.documents ?? [], id: \.id) { d in
                VStack(alignment: .leading) {
                    Text(d.name).bold()
                    if let until = d.expiresOn { Text(d.expired ? "Expiré le \(until)" : "Valable jusqu'au \(until)") }
                }
            }
        }
        .onAppear { model.loadDocuments() }
    }
}

/// Privacy: push on this iPhone (APNs), export my data (share sheet), close the account.
struct PrivacyView: View {
    @ObservedObject var model: WorkflowModel
    @State private var password = ""

    var body: some View {
        Form {
            Toggle("Notifications sur cet iPhone", isOn: Binding(
                get: { model.pushOnThisDevice },
                set: { on in if on { AppDelegate.registerForPush() } else { model.disablePush() } }))
            Button("Exporter mes données") { model.exportData() }.disabled(model.busy)
            if let export = model.export {
                ShareLink(item: URL(fileURLWithPath: export.path)) { Text("Partager l'export (\(export.bytes / 1024) Kio)") }
            }
            Section("Supprimer mon compte") {
                SecureField("Mot de passe", text: $password)
                Button("Supprimer définitivement", role: .destructive) { model.closeAccount(password: password) }
                    .disabled(password.isEmpty || model.busy)
            }
            if let e = model.error { Text(e).foregroundStyle(.red) }
        }
        .onAppear { model.refreshPush() }
    }
}
