import HTTPTypes

/// The headers Rampart reads and writes.
extension HTTPField.Name {
    static let rampartDecisionID = HTTPField.Name("Rampart-Decision-Id")!
    static let rampartSubject = HTTPField.Name("Rampart-Subject")!
    static let rampartPurpose = HTTPField.Name("Rampart-Purpose")!
}
