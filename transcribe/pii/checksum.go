package pii

// Checksums of the formats that have one. They are what keeps ordinary
// numbers of the same length (order, contract and tracking numbers) from
// being masked: a random number passes Luhn one time in ten, the SNILS and
// 12-digit INN checks about one time in a hundred.

// luhn reports whether the ASCII digits d pass the Luhn check (bank cards).
func luhn(d []byte) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// snilsValid checks an 11-digit SNILS. Numbers up to 001-001-998 were issued
// before the checksum existed and are not accepted: without a check they
// cannot be told from any other 11 digits.
func snilsValid(d []byte) bool {
	if len(d) != 11 {
		return false
	}
	num := 0
	for _, c := range d[:9] {
		num = num*10 + int(c-'0')
	}
	if num <= 1001998 {
		return false
	}
	sum := 0
	for i, c := range d[:9] {
		sum += int(c-'0') * (9 - i)
	}
	var check int
	switch {
	case sum < 100:
		check = sum
	case sum == 100 || sum == 101:
		check = 0
	default:
		check = sum % 101
		if check == 100 {
			check = 0
		}
	}
	return check == int(d[9]-'0')*10+int(d[10]-'0')
}

var (
	inn10w  = [...]int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	inn12w1 = [...]int{7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
	inn12w2 = [...]int{3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8}
)

func innCheck(d []byte, w []int) byte {
	sum := 0
	for i, k := range w {
		sum += int(d[i]-'0') * k
	}
	return byte(sum%11%10) + '0'
}

// innValid checks a 10-digit (organisation) or 12-digit (person) INN.
func innValid(d []byte) bool {
	switch len(d) {
	case 10:
		return innCheck(d, inn10w[:]) == d[9]
	case 12:
		return innCheck(d, inn12w1[:]) == d[10] && innCheck(d, inn12w2[:]) == d[11]
	}
	return false
}
