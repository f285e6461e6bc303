package messages

// DecodeListForTest is the stored-list decoder.
func DecodeListForTest(s string, limit int) (int, error) {
	items, err := decodeList(s, limit, true)
	return len(items), err
}
