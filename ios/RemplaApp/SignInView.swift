import SwiftUI
import RemplaFFI

/// Sign-in with the terms sheet when the server requires them; then the sync banner and the calendar.
struct SignInView: View {
    @ObservedObject var session: SessionModel
    @State private var email = ""
    @State private var password = ""

    var body: some View {
        Form {
            TextField("E-mail", text: $email).textContentType(.username)
            SecureField("Mot de passe", text: $password)
            Button("Se connecter") { session.signIn(email: email, password: password) }
                .disabled(session.busy)
            if let error = session.error { Text(error).foregroundStyle(.red) }
        }
        .sheet(item: Binding(get: { session.terms.map(TermsSheet.init) }, set: { _ in })) { sheet in
            ScrollView { Text(sheet.terms.text) }
            Button("J'accepte (version \(sheet.terms.version))") {
                session.signIn(email: email, password: password, acceptTerms: true)
            }
        }
    }
}

/// The terms, identifiable for `.sheet(item:)`.
struct TermsSheet: Identifiable {
    let terms: TermsRecord
    var id: String { terms.sha256 }
}

/// « À jour », « Hors ligne »…, a sync button and the refused changes until dismissed.
struct SyncBannerView: View {
    @ObservedObject var session: SessionModel

    var body: some View {
        VStack(alignment: .leading) {
            HStack {
                Text(label)
                Button("Synchroniser") { session.syncNow() }.disabled(session.busy)
            }
            ForEach(session.conflicts, id: \.opId) { c in
                Text("Modification annulée : \(c.message) [\(c.code)]").font(.caption)
            }
            if !session.conflicts.isEmpty { Button("J'ai compris") { session.dismissConflicts() } }
        }
    }

    private var label: String {
        guard let s = session.sync else { return "" }
        if !s.signedIn { return "Non connecté" }
        if s.connection == .offline { return "Hors ligne : \(s.pending) modification(s) en attente" }
        return s.pending > 0 ? "\(s.pending) modification(s) en attente" : "À jour"
    }
}
