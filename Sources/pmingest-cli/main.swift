print("pmingest")
