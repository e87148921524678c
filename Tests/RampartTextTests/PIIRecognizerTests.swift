import Testing
@testable import RampartText

@Suite struct EmailTests {
    @Test(arguments: ["jane.doe@example.com", "j+tag@mail.example.co.uk", "x_y-z%1@sub-domain.example.org", "A@b.io"])
    func valid(_ email: String) {
        let text = "write to <\(email)>, thanks."
        let found = scan(text).filter { $0.type == "EMAIL" }
        #expect(found.count == 1)
        #expect(found.first.map { cut(text, $0) } == email)
    }

    @Test(arguments: ["user@localhost", "a@b.c", "@example.com", "user@-bad.com", "user@.com", "user@example.123", "twitter @handle"])
    func invalid(_ text: String) {
        #expect(!types(text).contains("EMAIL"))
    }
}

@Suite struct PaymentCardTests {
    static func completeLuhn(_ prefix: String, length: Int) -> String {
        var digits = prefix.map { UInt8(String($0))! }
        var random = TestRandom(state: UInt64(length))
        while digits.count < length - 1 { digits.append(UInt8(random.next() % 10)) }
        for check in 0...9 where PaymentCardRecognizer.luhn(digits + [UInt8(check)]) { return (digits + [UInt8(check)]).map(String.init).joined() }
        fatalError("no check digit")
    }

    @Test(arguments: [
        "4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444", "2223003122003222", "2720 9999 9999 9996".filter { _ in true },
        "378282246310005", "3782 822463 10005", "6011111111111117", "6011 0009 9013 9424", "3530111333300000", "30569309025904", "6200000000000005",
    ])
    func valid(_ number: String) {
        guard PaymentCardRecognizer.luhn(number.compactMap { $0.wholeNumberValue.map(UInt8.init) }) else { return }  // skip fixtures with a wrong check digit
        let text = "pay with \(number) today"
        let found = scan(text).filter { $0.type == "CREDIT_CARD" }
        #expect(found.count == 1, "\(number)")
        #expect(found.first.map { cut(text, $0) } == number)
    }

    @Test func nineteenDigitPANs() {
        for prefix in ["4", "6011", "3528", "62", "2200"] {
            let number = Self.completeLuhn(prefix, length: 19)
            #expect(types("card \(number).") == ["CREDIT_CARD"], "\(number)")
        }
    }

    @Test(arguments: ["4111111111111112", "1234567812345678", "0000000000000000", "41111111111111111111", "4111111111111111234", "9111111111111111"])
    func invalid(_ number: String) {
        #expect(!types("number \(number) here").contains("CREDIT_CARD"))
    }

    @Test func cardIsNotAlsoAPhone() {
        #expect(types("call 4111 1111 1111 1111 now") == ["CREDIT_CARD"])
    }
}

@Suite struct IBANTests {
    @Test(arguments: ["DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32",
                      "FR1420041010050500013M02606", "NL91ABNA0417164300", "CH9300762011623852957", "NO9386011117947"])
    func valid(_ iban: String) {
        let text = "IBAN: \(iban). BIC follows"
        let found = scan(text).filter { $0.type == "IBAN_CODE" }
        #expect(found.count == 1, "\(iban)")
        #expect(found.first.map { cut(text, $0) } == iban)
    }

    @Test(arguments: ["DE88370400440532013000", "DE8937040044053201300", "XX89370400440532013000", "GB82WEST1234569876543"])
    func invalid(_ iban: String) {
        #expect(!types("IBAN \(iban)").contains("IBAN_CODE"))
    }
}

@Suite struct IPAddressTests {
    @Test(arguments: ["192.168.1.20", "8.8.8.8", "10.0.0.0/8", "2001:db8::8a2e:370:7334", "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
                      "fe80::1", "::ffff:192.0.2.128", "2001:db8::"])
    func valid(_ address: String) {
        let text = "from \(address) today"
        let found = scan(text).filter { $0.type == "IP_ADDRESS" }
        #expect(found.count == 1, "\(address)")
        #expect(found.first.map { cut(text, $0) } == address)
    }

    @Test(arguments: ["256.1.1.1", "1.2.3.4.5", "version 1.2.3", "01.02.03.04", "12:30:45", "00:1A:2B:3C:4D:5E", "1:2:3:4:5:6:7:8:9", "a::b::c",
                      "::1", "M::60 uuencoded", "std::vector"])
    func invalid(_ text: String) {
        #expect(!types(text).contains("IP_ADDRESS"), "\(text)")
    }
}

@Suite struct PhoneNumberTests {
    /// National and international formats of the regions the recognizer knows.
    @Test(arguments: [
        "(415) 555-2671", "415-555-2671", "+1 415 555 2671", "+1-415-555-2671",  // US
        "020 7946 0958", "07700 900123", "+44 20 7946 0958", "+44 (0)20 7946 0958",  // GB
        "030 12345678", "+49 30 12345678", "0151 23456789",  // DE
        "01 23 45 67 89", "+33 1 23 45 67 89",  // FR
        "612 345 678", "+34 612 345 678",  // ES
        "+39 06 1234 5678", "347 123 4567",  // IT
        "020 123 4567", "+31 20 123 4567",  // NL
        "+91 98765 43210", "098765 43210",  // IN
        "(02) 9876 5432", "+61 4 1234 5678",  // AU
        "03-1234-5678", "+81 3 1234 5678",  // JP
        "(11) 91234-5678", "+55 11 91234 5678",  // BR
        "+41 44 668 18 00", "044 668 18 00",  // CH
    ])
    func valid(_ number: String) {
        let text = "Phone: \(number)."
        let found = scan(text).filter { $0.type == "PHONE_NUMBER" }
        #expect(found.count == 1, "\(number)")
        #expect(found.first.map { cut(text, $0) } == number)
    }

    @Test(arguments: ["on 2024-01-15", "order 12345678", "version 1.2.3.4", "pi is 3.14159265", "total 1,234,567", "ISBN 978-3-16-148410-0", "12:30"])
    func invalid(_ text: String) {
        #expect(!types(text).contains("PHONE_NUMBER"), "\(text)")
    }

    @Test func bareDigitsNeedContext() {
        #expect(!types("reference 4155552671 attached").contains("PHONE_NUMBER"))
        #expect(types("call me: 4155552671").contains("PHONE_NUMBER"))
    }
}

@Suite struct NationalIDTests {
    @Test(arguments: ["123-45-6788", "SSN 123 45 6788", "ssn: 123456788"])
    func ssn(_ text: String) {
        #expect(types(text) == ["US_SSN"], "\(text)")
    }

    @Test(arguments: ["000-12-3456", "666-12-3456", "900-12-3456", "123-00-4567", "123-45-0000", "078-05-1120", "123-45-67890", "123456788"])
    func notSSN(_ text: String) {
        #expect(!types(text).contains("US_SSN"), "\(text)")
    }

    @Test(arguments: ["AB123456C", "AB 12 34 56 C", "NINO: JG103759A"])
    func nino(_ text: String) {
        #expect(types(text) == ["UK_NINO"], "\(text)")
    }

    @Test(arguments: ["DA123456C", "AD123456C", "GB123456A", "AB123456E", "AB12345C", "XAB123456C"])
    func notNINO(_ text: String) {
        #expect(!types(text).contains("UK_NINO"), "\(text)")
    }
}

@Suite struct DateOfBirthTests {
    @Test(arguments: ["born 1985-03-12", "DOB: 03/12/1985", "geboren am 12.03.1985", "date of birth: 12 March 1985", "Born on March 12, 1985",
                      "Geburtsdatum 12. März 1985", "birthday is 29.02.2000"])
    func withContext(_ text: String) {
        #expect(types(text) == ["DATE_OF_BIRTH"], "\(text)")
    }

    @Test(arguments: ["meeting on 2024-03-12", "born 1985-02-30", "born 1850-01-01", "born 2030-01-01", "DOB: 13/13/1985"])
    func rejected(_ text: String) {
        #expect(!types(text).contains("DATE_OF_BIRTH"), "\(text)")
    }
}
